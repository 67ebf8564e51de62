import { createServer, type Server } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo, LookupFunction } from 'node:net';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../../src/application/ports/clock.js';
import type { WebhookUrlPolicy } from '../../../src/application/webhooks/webhookPorts.js';
import { createThreadedWebhookPoster } from '../../../src/infrastructure/webhooks/threadedWebhookPoster.js';
import {
  createWebhookHttpPoster,
  type WebhookPoster,
} from '../../../src/infrastructure/webhooks/webhookHttpPost.js';
import { createWebhookHttpSender } from '../../../src/infrastructure/webhooks/webhookHttpSender.js';
import { createWebhookUrlPolicy } from '../../../src/infrastructure/webhooks/webhookUrlPolicy.js';
import { issue, newKeyPair } from '../../../src/sandbox/sandboxCertificateIssuer.js';
import { startSilentServer } from '../../support/silentServer.js';

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

describe('webhook HTTP poster, in this thread', () => {
  const servers: Server[] = [];
  const senders: { close: () => void }[] = [];
  afterEach(async () => {
    for (const sender of senders.splice(0)) sender.close();
    for (const server of servers.splice(0)) {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
  /** A loopback server; `connections` counts the connections it was opened and has seen closed. */
  const listen = async (server: Server, scheme = 'http') => {
    servers.push(server);
    const connections = { opened: 0, closed: 0 };
    server.on('connection', (socket) => {
      connections.opened += 1;
      socket.on('close', () => (connections.closed += 1));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return { url: `${scheme}://127.0.0.1:${(server.address() as AddressInfo).port}`, connections };
  };
  const serve = async (handler: Parameters<typeof createServer>[1]) =>
    (await listen(createServer(handler))).url;
  /** A sender on a poster in this thread, under the policy of private URLs allowed unless told otherwise. */
  const senderOn = (
    options: {
      policy?: WebhookUrlPolicy;
      lookup?: LookupFunction | undefined;
      timeoutMs?: number;
      maxSockets?: number;
    } = {},
  ) => {
    const sender = createWebhookHttpSender({
      policy: options.policy ?? createWebhookUrlPolicy({ allowPrivate: true }).check,
      poster: createWebhookHttpPoster({
        lookup: options.lookup,
        timeoutMs: options.timeoutMs ?? 30_000,
        ...(options.maxSockets !== undefined && { maxSockets: options.maxSockets }),
      }),
      clock: systemClock,
    });
    senders.push(sender);
    return sender;
  };
  const until = async (condition: () => boolean, what: string) => {
    const deadline = Date.now() + 5_000;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };
  /** Answers 204 at once and records the webhook-id of every request it received. */
  const recordingServer = () => {
    const ids: string[] = [];
    const server = createServer((request, response) => {
      ids.push(String(request.headers['webhook-id']));
      request.resume();
      request.on('end', () => response.writeHead(204).end());
    });
    return { server, ids };
  };
  const attempt = {
    webhookId: 'evt_1',
    body: '{"a":1}',
    secrets: ['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'],
  };

  it('given live-mode rules, when the name turns to loopback between the check and the connection, then the lookup refuses the socket', async () => {
    const answers = [['93.184.216.34'], ['127.0.0.1']];
    let resolved = 0;
    const policy = createWebhookUrlPolicy({
      allowPrivate: false,
      resolve: async () =>
        answers[Math.min(resolved++, 1)]!.map((address) => ({ address, family: 4 })),
    });
    const sender = senderOn({ policy: policy.check, lookup: policy.lookup });

    const result = await sender.send({ ...attempt, url: 'https://rebind.example/hooks' });

    // Not the check's refusal: the name was resolved a second time, for the socket.
    expect(result).toEqual({
      kind: 'failed',
      reason: expect.stringMatching(/^(?!refused: ).*127\.0\.0\.1, a loopback/),
    });
    expect(resolved).toBe(2);
  });

  it('given a lookup, then the connection goes to the address it gives for the name', async () => {
    const { server, ids } = recordingServer();
    const { url } = await listen(server);
    const looked: string[] = [];
    const lookup: LookupFunction = (hostname, options, callback) => {
      looked.push(hostname);
      if (options.all) callback(null, [{ address: '127.0.0.1', family: 4 }]);
      else callback(null, '127.0.0.1', 4);
    };
    const sender = senderOn({ lookup });

    const result = await sender.send({
      ...attempt,
      url: `http://hooks.test:${new URL(url).port}/hooks`,
    });

    expect(result).toEqual({ kind: 'answered', status: 204 });
    expect(looked).toEqual(['hooks.test']);
    expect(ids).toEqual(['evt_1']);
  });

  it('given an informational answer and then the connection lost, then the attempt fails', async () => {
    const url = await serve((request, response) => {
      response.writeEarlyHints({ link: '</style.css>; rel=preload' }, () =>
        request.socket.destroy(),
      );
    });
    const sender = senderOn();

    expect(await sender.send({ ...attempt, url })).toEqual({
      kind: 'failed',
      reason: expect.any(String),
    });
  });

  it('given an answer whose body never ends, then the same deadline bounds the body', async () => {
    const url = await serve((_req, res) => {
      res.writeHead(200);
      res.write('still coming');
    });
    const sender = senderOn({ timeoutMs: 200 });

    expect(await sender.send({ ...attempt, url })).toEqual({
      kind: 'failed',
      reason: 'no answer within 200 ms',
    });
  });

  it('given an https endpoint that never completes the handshake, then the same deadline bounds the connection', async () => {
    const silent = await startSilentServer();
    const sender = senderOn({ timeoutMs: 200 });

    try {
      expect(await sender.send({ ...attempt, url: `https://127.0.0.1:${silent.port}/` })).toEqual({
        kind: 'failed',
        reason: 'no answer within 200 ms',
      });
    } finally {
      await silent.close();
    }
  });

  it('given an https endpoint whose certificate is not trusted, then the attempt fails without sending, and the reason holds no secret', async () => {
    const keys = newKeyPair();
    const subject = [{ name: 'commonName', value: '127.0.0.1' }];
    const cert = issue({
      subject,
      issuer: { subject, key: keys.privateKey },
      publicKey: keys.publicKey,
      extensions: [],
    });
    let requests = 0;
    const { url } = await listen(
      createTlsServer({ cert, key: keys.pem }, (_req, res) => {
        requests += 1;
        res.writeHead(204).end();
      }),
      'https',
    );
    const sender = senderOn();

    const result = await sender.send({ ...attempt, url });

    expect(result).toEqual({ kind: 'failed', reason: expect.stringMatching(/self[- ]signed/) });
    expect(JSON.stringify(result)).not.toContain(attempt.secrets[0]!.slice('whsec_'.length));
    expect(requests).toBe(0);
  });

  it('given attempts one after another, then their connections are kept alive and reused', async () => {
    const { server, ids } = recordingServer();
    const { url, connections } = await listen(server);
    const sender = senderOn();

    const webhookIds = ['evt_1', 'evt_2', 'evt_3', 'evt_4', 'evt_5', 'evt_6'];
    for (const webhookId of webhookIds) {
      expect(await sender.send({ ...attempt, webhookId, url })).toEqual({
        kind: 'answered',
        status: 204,
      });
    }

    expect(ids).toEqual(webhookIds);
    // undici takes a connection back a turn of the event loop after its answer (in case the
    // server closes it after all), so an attempt made at once takes a second one.
    expect(connections.opened).toBeLessThanOrEqual(2);
  });

  it('given more attempts at once than maxSockets, then no more connections than that are opened', async () => {
    const { server, ids } = recordingServer();
    const { url, connections } = await listen(server);
    const sender = senderOn({ maxSockets: 2 });

    const results = await Promise.all(
      Array.from({ length: 6 }, (_, n) => sender.send({ ...attempt, webhookId: `evt_${n}`, url })),
    );

    expect(results).toEqual(Array(6).fill({ kind: 'answered', status: 204 }));
    expect(ids.toSorted()).toEqual(['evt_0', 'evt_1', 'evt_2', 'evt_3', 'evt_4', 'evt_5']);
    expect(connections.opened).toBeLessThanOrEqual(2);
  });

  it('given an endpoint that closes its kept-alive connection after an answer, then the next attempt is made once on a new one', async () => {
    const { server, ids } = recordingServer();
    // The answer says keep-alive; the socket is ended right after it all the same.
    server.on('request', (request, response) => response.on('finish', () => request.socket.end()));
    const { url, connections } = await listen(server);
    const sender = senderOn();

    expect(await sender.send({ ...attempt, webhookId: 'evt_1', url })).toEqual({
      kind: 'answered',
      status: 204,
    });
    // Closed on both sides: the sender has seen the end of the connection.
    await until(() => connections.closed === 1, 'the first connection to close');
    expect(await sender.send({ ...attempt, webhookId: 'evt_2', url })).toEqual({
      kind: 'answered',
      status: 204,
    });

    expect(ids).toEqual(['evt_1', 'evt_2']);
    expect(connections.opened).toBe(2);
  });

  it('given a kept-alive connection the endpoint drops when the next attempt arrives, then that attempt fails and is not sent again', async () => {
    const ids: string[] = [];
    const { url, connections } = await listen(
      createServer((request, response) => {
        ids.push(String(request.headers['webhook-id']));
        if (ids.length > 1) {
          request.socket.destroy();
          return;
        }
        request.resume();
        request.on('end', () => response.writeHead(204).end());
      }),
    );
    const sender = senderOn();

    expect(await sender.send({ ...attempt, webhookId: 'evt_1', url })).toEqual({
      kind: 'answered',
      status: 204,
    });
    // The connection is free again a turn of the event loop after its answer.
    await new Promise((resolve) => setImmediate(resolve));
    const dropped = await sender.send({ ...attempt, webhookId: 'evt_2', url });

    expect(dropped).toEqual({ kind: 'failed', reason: expect.any(String) });
    expect(JSON.stringify(dropped)).not.toContain(attempt.secrets[0]!.slice('whsec_'.length));
    sender.close();
    await until(() => connections.closed === connections.opened, 'the connections to close');
    expect(connections.opened).toBe(1);
    expect(ids).toEqual(['evt_1', 'evt_2']);
  });

  it('when closed, then its connections to the endpoints are closed', async () => {
    const { server } = recordingServer();
    const { url, connections } = await listen(server);
    const sender = senderOn();
    expect(await sender.send({ ...attempt, url })).toEqual({ kind: 'answered', status: 204 });

    sender.close();

    await until(() => connections.closed === connections.opened, 'the connections to close');
    expect(connections.opened).toBe(1);
  });
});
