import { createServer, type Server } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo, LookupFunction } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../../src/application/ports/clock.js';
import type { WebhookUrlPolicy } from '../../../src/application/webhooks/webhookPorts.js';
import { createWebhookHttpSender } from '../../../src/infrastructure/webhooks/webhookHttpSender.js';
import { createWebhookUrlPolicy } from '../../../src/infrastructure/webhooks/webhookUrlPolicy.js';
import { issue, newKeyPair } from '../../../src/sandbox/sandboxCertificateIssuer.js';
import { startSilentServer } from '../../support/silentServer.js';

describe('webhook HTTP sender', () => {
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
  /** A sender under the policy of private URLs allowed, unless told otherwise. */
  const senderWith = (
    options: {
      policy?: WebhookUrlPolicy;
      lookup?: LookupFunction | undefined;
      timeoutMs?: number;
      maxSockets?: number;
    } = {},
  ) => {
    const sender = createWebhookHttpSender({
      policy: options.policy ?? createWebhookUrlPolicy({ allowPrivate: true }).check,
      lookup: options.lookup,
      timeoutMs: options.timeoutMs ?? 30_000,
      clock: systemClock,
      ...(options.maxSockets !== undefined && { maxSockets: options.maxSockets }),
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

  it('given a redirect, then it is an answer like any other, and its target is never requested', async () => {
    let followed = false;
    const target = await serve((_req, res) => {
      followed = true;
      res.end();
    });
    const url = await serve((_req, res) => res.writeHead(302, { location: `${target}/x` }).end());
    const sender = senderWith();

    expect(await sender.send({ ...attempt, url })).toEqual({ kind: 'answered', status: 302 });
    expect(followed).toBe(false);
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
    const sender = senderWith();

    expect(await sender.send({ ...attempt, url })).toEqual({
      kind: 'answered',
      status: 500,
      retryAfterMs: 120_000,
    });
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
    const sender = senderWith({ policy: policy.check, lookup: policy.lookup });

    answer = ['127.0.0.1'];
    const result = await sender.send({ ...attempt, url: 'https://rebind.example/hooks' });

    expect(result).toEqual({
      kind: 'failed',
      reason: expect.stringMatching(/^refused: .*127\.0\.0\.1/),
    });
    expect(requests).toBe(0);
  });

  it('given live-mode rules, when the name turns to loopback between the check and the connection, then the lookup refuses the socket', async () => {
    const answers = [['93.184.216.34'], ['127.0.0.1']];
    let resolved = 0;
    const policy = createWebhookUrlPolicy({
      allowPrivate: false,
      resolve: async () =>
        answers[Math.min(resolved++, 1)]!.map((address) => ({ address, family: 4 })),
    });
    const sender = senderWith({ policy: policy.check, lookup: policy.lookup });

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
    const sender = senderWith({ lookup });

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
    const sender = senderWith();

    expect(await sender.send({ ...attempt, url })).toEqual({
      kind: 'failed',
      reason: expect.any(String),
    });
  });

  it('given an endpoint that never answers, then the attempt fails at its deadline', async () => {
    const url = await serve(() => undefined);
    const sender = senderWith({ timeoutMs: 200 });

    expect(await sender.send({ ...attempt, url })).toEqual({
      kind: 'failed',
      reason: 'no answer within 200 ms',
    });
  });

  it('given an answer whose body never ends, then the same deadline bounds the body', async () => {
    const url = await serve((_req, res) => {
      res.writeHead(200);
      res.write('still coming');
    });
    const sender = senderWith({ timeoutMs: 200 });

    expect(await sender.send({ ...attempt, url })).toEqual({
      kind: 'failed',
      reason: 'no answer within 200 ms',
    });
  });

  it('given an https endpoint that never completes the handshake, then the same deadline bounds the connection', async () => {
    const silent = await startSilentServer();
    const sender = senderWith({ timeoutMs: 200 });

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
    const sender = senderWith();

    const result = await sender.send({ ...attempt, url });

    expect(result).toEqual({ kind: 'failed', reason: expect.stringMatching(/self[- ]signed/) });
    expect(JSON.stringify(result)).not.toContain(attempt.secrets[0]!.slice('whsec_'.length));
    expect(requests).toBe(0);
  });

  it('given attempts one after another, then their connections are kept alive and reused', async () => {
    const { server, ids } = recordingServer();
    const { url, connections } = await listen(server);
    const sender = senderWith();

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
    const sender = senderWith({ maxSockets: 2 });

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
    const sender = senderWith();

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
    const sender = senderWith();

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
    const sender = senderWith();
    expect(await sender.send({ ...attempt, url })).toEqual({ kind: 'answered', status: 204 });

    sender.close();

    await until(() => connections.closed === connections.opened, 'the connections to close');
    expect(connections.opened).toBe(1);
  });
});
