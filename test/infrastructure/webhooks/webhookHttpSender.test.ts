import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../../src/application/ports/clock.js';
import { createThreadedWebhookPoster } from '../../../src/infrastructure/webhooks/threadedWebhookPoster.js';
import {
  createWebhookHttpPoster,
  type WebhookPoster,
} from '../../../src/infrastructure/webhooks/webhookHttpPost.js';
import { createWebhookHttpSender } from '../../../src/infrastructure/webhooks/webhookHttpSender.js';
import { createWebhookUrlPolicy } from '../../../src/infrastructure/webhooks/webhookUrlPolicy.js';

describe('webhook HTTP sender', () => {
  const servers: Server[] = [];
  afterEach(async () => {
    for (const server of servers.splice(0)) {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
  const serve = async (handler: Parameters<typeof createServer>[1]) => {
    const server = createServer(handler);
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  };
  const attempt = {
    webhookId: 'evt_1',
    body: '{"a":1}',
    secrets: ['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'],
  };

  const posters = {
    'in this thread': (timeoutMs: number) =>
      createWebhookHttpPoster({ lookup: undefined, timeoutMs }),
    'in a worker thread': (timeoutMs: number) =>
      createThreadedWebhookPoster({
        allowPrivate: true,
        timeoutMs,
        log: pino({ level: 'silent' }),
      }),
  };
  const senderWith = (poster: WebhookPoster) =>
    createWebhookHttpSender({
      policy: createWebhookUrlPolicy({ allowPrivate: true }).check,
      poster,
      clock: systemClock,
    });

  describe.each(Object.entries(posters))('with the requests made %s', (_, poster) => {
    it('given a redirect, then it is an answer like any other, and its target is never requested', async () => {
      let followed = false;
      const target = await serve((_req, res) => {
        followed = true;
        res.end();
      });
      const url = await serve((_req, res) => res.writeHead(302, { location: `${target}/x` }).end());
      const sender = senderWith(poster(30_000));

      expect(await sender.send({ ...attempt, url })).toEqual({ kind: 'answered', status: 302 });
      expect(followed).toBe(false);
      sender.close();
    });

    it('given an endless answer, then only the first few KiB are read and the attempt still counts as answered', async () => {
      const url = await serve((_req, res) => {
        res.writeHead(500, { 'retry-after': '120' });
        const chunk = Buffer.alloc(64 * 1024, 'x');
        const write = () => {
          while (!res.destroyed && res.write(chunk));
          if (!res.destroyed) res.once('drain', write);
        };
        write();
      });
      const sender = senderWith(poster(30_000));

      expect(await sender.send({ ...attempt, url })).toEqual({
        kind: 'answered',
        status: 500,
        retryAfterMs: 120_000,
      });
      sender.close();
    });

    it('given a receiver that does not answer, then the attempt fails at the timeout', async () => {
      const url = await serve(() => undefined);
      const sender = senderWith(poster(200));

      expect(await sender.send({ ...attempt, url })).toEqual({
        kind: 'failed',
        reason: 'no answer within 200 ms',
      });
      sender.close();
    });

    it('given many attempts in one turn, then each gets its own answer', async () => {
      const url = await serve((req, res) => res.writeHead(Number(req.url!.slice(1))).end());
      const sender = senderWith(poster(30_000));
      const statuses = Array.from({ length: 30 }, (_, i) => [200, 204, 410, 500, 503][i % 5]!);

      const results = await Promise.all(
        statuses.map((status) => sender.send({ ...attempt, url: `${url}/${status}` })),
      );

      expect(results).toEqual(statuses.map((status) => ({ kind: 'answered', status })));
      sender.close();
    });
  });

  it('given live-mode rules, when a worker thread makes the request to a name that resolves to loopback, then its own lookup refuses the connection', async () => {
    let requests = 0;
    const port = new URL(
      await serve((_req, res) => {
        requests += 1;
        res.end();
      }),
    ).port;
    const poster = createThreadedWebhookPoster({
      allowPrivate: false,
      timeoutMs: 30_000,
      log: pino({ level: 'silent' }),
    });

    const answer = await poster.post({
      url: `http://localhost:${port}/hooks`,
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });

    expect(answer).toEqual({ kind: 'failed', reason: expect.stringMatching(/127\.0\.0\.1|::1/) });
    expect(requests).toBe(0);
    poster.close();
  });

  it('given live-mode rules, when the name resolves to loopback at the attempt (DNS rebinding), then no request is made', async () => {
    let requests = 0;
    await serve((_req, res) => {
      requests += 1;
      res.end();
    });
    let answer = ['93.184.216.34'];
    const policy = createWebhookUrlPolicy({
      allowPrivate: false,
      resolve: async () => answer.map((address) => ({ address, family: 4 })),
    });
    expect(await policy.check('https://rebind.example/hooks')).toEqual({ ok: true });
    const sender = createWebhookHttpSender({
      policy: policy.check,
      poster: createWebhookHttpPoster({ lookup: policy.lookup, timeoutMs: 30_000 }),
      clock: systemClock,
    });

    answer = ['127.0.0.1'];
    const result = await sender.send({ ...attempt, url: 'https://rebind.example/hooks' });

    expect(result).toEqual({
      kind: 'failed',
      reason: expect.stringMatching(/^refused: .*127\.0\.0\.1/),
    });
    expect(requests).toBe(0);
    sender.close();
  });
});
