import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createLogger } from '../src/infrastructure/observability/logger.js';
import type { ListeningService } from '../src/service.js';
import { startService } from '../src/startService.js';
import { closedPort } from './support/closedPort.js';
import { eventually } from './support/eventually.js';
import { makeTempDir, testConfig } from './support/fixtures.js';

const logLine = z.looseObject({ level: z.number(), msg: z.string() });
const readinessBody = z.object({ ready: z.boolean(), checks: z.record(z.string(), z.string()) });

/** The service as `refunds serve` starts it, on port 0, with its log lines kept for the test. */
const startWith = async (env: NodeJS.ProcessEnv, dataDir: string) => {
  const lines: z.infer<typeof logLine>[] = [];
  const logger = createLogger('debug', {
    write: (line: string) => {
      lines.push(logLine.parse(JSON.parse(line)));
    },
  });
  const service = await startService(testConfig({ DATA_DIR: dataDir, PORT: '0', ...env }), {
    logger,
    healthIntervalMs: 20,
  });
  return { service, lines };
};

const readyz = async (url: string) => {
  const response = await fetch(`${url}/readyz`);
  return { status: response.status, body: readinessBody.parse(await response.json()) };
};

describe('starting against a store that does not answer', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let service: ListeningService | undefined;
  beforeEach(() => {
    temp = makeTempDir();
  });
  afterEach(async () => {
    await service?.close();
    service = undefined;
    temp.remove();
  });

  // "/", "#" and "?" are where a connection string used to be cut wrongly around the credentials,
  // showing part of the password as the store's host.
  const password = 'pa/ss#wo?rd';
  const cases = [
    {
      store: 'event store',
      check: 'eventStore',
      env: async () => ({
        EVENT_STORE: 'esdb',
        ESDB_CONNECTION_STRING: `esdb://admin:${password}@127.0.0.1:${await closedPort()}?tls=false`,
      }),
      secrets: [password, 'pa/ss', 'wo?rd', 'admin:'],
      // A closed port refuses at once; a machine too busy to see the refusal within the health
      // check's deadline reports that deadline instead.
      reason:
        /^EventStoreDB at esdb:\/\/127\.0\.0\.1:\d+ unreachable: (.*ECONNREFUSED|the server did not answer within \d+ ms)/,
    },
    {
      store: 'read store',
      check: 'readStore',
      env: async () => ({
        READ_STORE: 'mongo',
        MONGO_URL: `mongodb://reader:${encodeURIComponent(password)}@127.0.0.1:${await closedPort()}/?serverSelectionTimeoutMS=200`,
      }),
      secrets: [encodeURIComponent(password), 'pa%2Fss', 'reader:'],
      reason:
        /^MongoDB at mongodb:\/\/127\.0\.0\.1:\d+ unreachable: (.*ECONNREFUSED|the server did not answer within \d+ ms)/,
    },
  ];

  for (const { store, check, env, secrets, reason } of cases) {
    it(`given the ${store} on a closed port, with a password holding "/", "#" and "?", when started, then it listens, says why in one log line, and /readyz answers 503 naming the store with a stable code only, neither showing any of the credentials`, async () => {
      const started = await startWith(await env(), temp.dir);
      service = started.service;
      const { lines } = started;

      expect((await fetch(`${service.url}/healthz`)).status).toBe(200);
      const { status, body } = await eventually(async () => {
        const answer = await readyz(service!.url);
        expect(answer.body.checks[check]).toBe('unreachable');
        return answer;
      });
      expect(status).toBe(503);
      expect(body.ready).toBe(false);
      // The details (host, port, the driver's message) are the log's, not the answer's.
      expect(JSON.stringify(body)).not.toMatch(/127\.0\.0\.1|ECONNREFUSED|unreachable:/);

      // Many health checks later, still the one line: warnings and errors are that line alone.
      await eventually(() =>
        expect(lines.filter((l) => l.msg === 'store health checked').length).toBeGreaterThan(20),
      );
      const loud = lines.filter((line) => line.level >= 40);
      expect(loud).toEqual([
        expect.objectContaining({
          msg: `${store} unreachable; /readyz answers 503 until it answers`,
          store: check,
          reason: expect.stringMatching(reason),
        }),
      ]);
      for (const secret of secrets) {
        expect(JSON.stringify(lines)).not.toContain(secret);
        expect(JSON.stringify(body)).not.toContain(secret);
      }
    });
  }

  it('given the event store away, when a refund is requested or read, then 503 STORE_UNAVAILABLE, not 500, and no credentials', async () => {
    const started = await startWith(
      {
        EVENT_STORE: 'esdb',
        ESDB_CONNECTION_STRING: `esdb://admin:${password}@127.0.0.1:${await closedPort()}?tls=false`,
      },
      temp.dir,
    );
    service = started.service;
    const headers = { 'content-type': 'application/json' };

    const posted = await fetch(`${service.url}/v1/refunds`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ outTradeNo: 'T1', totalFee: 3960 }),
    });
    const read = await fetch(`${service.url}/v1/refunds/T1`);

    for (const answer of [posted, read]) {
      expect(answer.status).toBe(503);
      const body = await answer.text();
      expect(JSON.parse(body)).toMatchObject({ code: 'STORE_UNAVAILABLE' });
      for (const secret of [password, 'pa/ss', 'admin:']) expect(body).not.toContain(secret);
    }
  });
});
