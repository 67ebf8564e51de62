import { describe, expect, it } from 'vitest';
import { eventually } from '../../support/eventually.js';
import { testAppPerTest } from '../../support/fixtures.js';

describe('operations routes', () => {
  const t = testAppPerTest();

  it('GET /healthz answers ok', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/healthz' });
    expect(response.json()).toEqual({ status: 'ok' });
  });

  it('GET /readyz answers ready once the stores are up and the read models caught up', async () => {
    const response = await eventually(async () => {
      const answer = await t.app.inject({ method: 'GET', url: '/readyz' });
      expect(answer.statusCode).toBe(200);
      return answer;
    });
    expect(response.json()).toEqual({
      ready: true,
      checks: {
        eventStore: 'ok',
        readStore: 'ok',
        'projection:refund_view': 'ok',
        'projection:order_ledger': 'ok',
        'projection:idempotency_guard': 'ok',
        'projection:bill_expectation': 'ok',
      },
      corruptStreams: [],
    });
  });

  it('GET /openapi.json describes every route of the contract with its schemas', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json();

    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/v1/refunds',
        '/v1/refunds/{outRefundNo}',
        '/v1/refunds/{outRefundNo}/retry',
        '/v1/refunds/{outRefundNo}/events',
        '/healthz',
        '/readyz',
      ]),
    );
    const post = doc.paths['/v1/refunds'].post;
    expect(JSON.stringify(post.requestBody)).toContain('totalFee');
    expect(Object.keys(post.responses)).toEqual(
      expect.arrayContaining(['200', '202', '400', '409']),
    );
  });

  it('GET /docs serves the browsable documentation', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/docs/' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toContain('text/html');
  });

  it('GET /metrics serves Prometheus text with the HTTP counters', async () => {
    await t.app.inject({ method: 'GET', url: '/healthz' });
    const response = await t.app.inject({ method: 'GET', url: '/metrics' });

    expect(response.headers['content-type']).toContain('text/plain');
    expect(response.body).toContain(
      'http_requests_total{method="GET",route="/healthz",status="200"} 1',
    );
  });

  it('an unknown route answers a 404 problem', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/v2/nothing' });
    expect(response.statusCode).toBe(404);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.json()).toMatchObject({ code: 'NOT_FOUND' });
  });
});
