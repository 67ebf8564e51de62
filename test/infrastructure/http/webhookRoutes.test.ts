import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { buildService } from '../../../src/main.js';
import type { Service } from '../../../src/service.js';
import { makeTempDir, sharedSandboxCertDir, testConfig } from '../../support/fixtures.js';

const json = { 'content-type': 'application/json' };

/** /v1/webhook-endpoints on the service as main.ts builds it (not listening: nothing is delivered). */
describe('webhook endpoint routes', () => {
  let service: Service | undefined;
  let temp: ReturnType<typeof makeTempDir> | undefined;
  afterEach(async () => {
    await service?.close();
    temp?.remove();
  });

  const build = async (env: NodeJS.ProcessEnv = {}, resolve?: (host: string) => string[]) => {
    temp = makeTempDir();
    service = await buildService(testConfig({ DATA_DIR: temp.dir, ...env }), {
      logger: pino({ level: 'silent' }),
      sandbox: { certDir: sharedSandboxCertDir() },
      ...(resolve && {
        webhooks: {
          resolve: async (host: string) =>
            resolve(host).map((address) => ({ address, family: address.includes(':') ? 6 : 4 })),
        },
      }),
    });
    await service.app.ready();
    return service;
  };
  const call = async (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, body?: unknown) => {
    const response = await service!.app.inject({
      method,
      url,
      ...(body !== undefined && { headers: json, payload: JSON.stringify(body) }),
    });
    return {
      status: response.statusCode,
      type: response.headers['content-type'],
      body: response.body ? response.json() : undefined,
    };
  };
  const endpoints = async () => (await call('GET', '/v1/webhook-endpoints')).body.data;

  it('given an endpoint, then it can be read, listed, changed and deleted, and its secret is never shown again', async () => {
    await build();
    const created = (
      await call('POST', '/v1/webhook-endpoints', { url: 'http://127.0.0.1:9/hooks' })
    ).body;

    const read = await call('GET', `/v1/webhook-endpoints/${created.id}`);
    expect(read.body).toEqual({
      id: created.id,
      url: 'http://127.0.0.1:9/hooks',
      eventTypes: ['refund.requested', 'refund.accepted', 'refund.succeeded', 'refund.failed'],
      description: null,
      status: 'enabled',
      createdAt: created.createdAt,
    });
    expect(await endpoints()).toEqual([read.body]);

    const patched = await call('PATCH', `/v1/webhook-endpoints/${created.id}`, {
      status: 'disabled',
      eventTypes: ['refund.failed'],
      description: 'finance',
    });
    expect(patched.body).toMatchObject({
      status: 'disabled',
      eventTypes: ['refund.failed'],
      description: 'finance',
    });
    const rotated = await call('POST', `/v1/webhook-endpoints/${created.id}/rotate-secret`);
    expect(rotated.body.secret).toMatch(/^whsec_/);
    for (const answer of [read, patched, await call('GET', '/v1/webhook-endpoints')]) {
      expect(JSON.stringify(answer.body)).not.toMatch(/whsec_/);
    }
    expect(await call('GET', `/v1/webhook-endpoints/${created.id}/deliveries`)).toMatchObject({
      status: 200,
      body: { data: [], nextCursor: null },
    });

    expect((await call('DELETE', `/v1/webhook-endpoints/${created.id}`)).status).toBe(204);
    expect((await call('GET', `/v1/webhook-endpoints/${created.id}`)).status).toBe(404);
    expect(await endpoints()).toEqual([]);
  });

  it.each([
    ['an invalid URL', { url: 'not a url' }],
    ['a URL that is not http(s)', { url: 'ftp://example.com/hooks' }],
    ['an unknown event type', { url: 'http://127.0.0.1:9/', eventTypes: ['refund.created'] }],
    ['no event type', { url: 'http://127.0.0.1:9/', eventTypes: [] }],
    ['an unknown field', { url: 'http://127.0.0.1:9/', secret: 'whsec_mine' }],
  ])('given %s, then 400 problem+json and nothing is stored', async (_what, body) => {
    await build();

    const answer = await call('POST', '/v1/webhook-endpoints', body);

    expect(answer.status).toBe(400);
    expect(answer.type).toMatch(/^application\/problem\+json/);
    expect(await endpoints()).toEqual([]);
  });

  it.each([
    ['http, even to a public address', 'http://93.184.216.34/hooks'],
    ['loopback', 'https://127.0.0.1/hooks'],
    ['a private address', 'https://10.1.2.3/hooks'],
    ['link-local', 'https://169.254.169.254/latest'],
    ['IPv6 loopback', 'https://[::1]/hooks'],
    ['a name resolving to a private address', 'https://intranet.example/hooks'],
    ['a name resolving to IPv4-mapped loopback', 'https://mapped.example/hooks'],
  ])(
    'given live-mode rules, when the URL is %s, then 400 WEBHOOK_URL_REFUSED and nothing is stored',
    async (_what, url) => {
      await build({ WEBHOOK_ALLOW_PRIVATE_URLS: 'false' }, (host) =>
        host === 'mapped.example' ? ['::ffff:127.0.0.1'] : ['93.184.216.34', '192.168.1.20'],
      );

      const answer = await call('POST', '/v1/webhook-endpoints', { url });

      expect(answer.status).toBe(400);
      expect(answer.body.code).toBe('WEBHOOK_URL_REFUSED');
      expect(await endpoints()).toEqual([]);
    },
  );

  it('given live-mode rules, when a name resolves to public addresses only, then the endpoint is created; a PATCH to a private URL is refused', async () => {
    await build({ WEBHOOK_ALLOW_PRIVATE_URLS: 'false' }, () => ['93.184.216.34']);

    const created = await call('POST', '/v1/webhook-endpoints', {
      url: 'https://hooks.example/refunds',
    });
    expect(created.status).toBe(201);
    const patched = await call('PATCH', `/v1/webhook-endpoints/${created.body.id}`, {
      url: 'https://10.0.0.1/',
    });
    expect(patched.status).toBe(400);
    expect((await endpoints())[0].url).toBe('https://hooks.example/refunds');
  });

  it.each([
    ['GET', '/v1/webhook-endpoints/ep_unknown'],
    ['PATCH', '/v1/webhook-endpoints/ep_unknown'],
    ['DELETE', '/v1/webhook-endpoints/ep_unknown'],
    ['POST', '/v1/webhook-endpoints/ep_unknown/rotate-secret'],
    ['GET', '/v1/webhook-endpoints/ep_unknown/deliveries'],
    ['POST', '/v1/webhook-endpoints/ep_unknown/recover'],
  ] as const)('given an unknown id, when %s %s, then 404 problem+json', async (method, url) => {
    await build();
    const body =
      method === 'PATCH'
        ? { status: 'disabled' }
        : url.endsWith('recover')
          ? { since: '2026-11-28T00:00:00Z' }
          : undefined;

    const answer = await call(method, url, body);

    expect(answer.status).toBe(404);
    expect(answer.body.code).toBe('WEBHOOK_ENDPOINT_NOT_FOUND');
  });

  it('given a bad cursor or status for deliveries, or a bad since for recover, then 400', async () => {
    await build();
    const { id } = (await call('POST', '/v1/webhook-endpoints', { url: 'http://127.0.0.1:9/' }))
      .body;

    expect((await call('GET', `/v1/webhook-endpoints/${id}/deliveries?cursor=nope!`)).status).toBe(
      400,
    );
    expect((await call('GET', `/v1/webhook-endpoints/${id}/deliveries?status=lost`)).status).toBe(
      400,
    );
    expect(
      (await call('POST', `/v1/webhook-endpoints/${id}/recover`, { since: 'yesterday' })).status,
    ).toBe(400);
  });
});
