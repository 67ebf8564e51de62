import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createLogger } from '../../../src/infrastructure/observability/logger.js';
import type { ListeningService } from '../../../src/service.js';
import { startService } from '../../../src/startService.js';
import { closedPort } from '../../support/closedPort.js';
import { eventually } from '../../support/eventually.js';
import { serverFrom } from '../../support/serverGate.js';
import { startTcpProxy } from '../../support/tcpProxy.js';
import { makeTempDir, testConfig } from '../../support/fixtures.js';

const readinessBody = z.object({ ready: z.boolean(), checks: z.record(z.string(), z.string()) });

/**
 * "Reconnects when the server appears": the service starts pointed at a loopback port where
 * nothing listens, then a proxy to the real server opens on that port. Needs a real server.
 */
const scenario = (
  name: string,
  env: (port: number) => NodeJS.ProcessEnv,
  target: { host: string; port: number },
  check: string,
) =>
  describe(`${name} appearing after the service started`, () => {
    let temp: ReturnType<typeof makeTempDir>;
    let service: ListeningService | undefined;
    let proxy: { close: () => Promise<void> } | undefined;
    beforeEach(() => {
      temp = makeTempDir();
    });
    afterEach(async () => {
      await service?.close();
      await proxy?.close();
      temp.remove();
    });

    it(`given ${name} unreachable at start, when it appears, then the service becomes ready and takes refunds`, async () => {
      const port = await closedPort();
      service = await startService(
        testConfig({ DATA_DIR: temp.dir, PORT: '0', LOG_LEVEL: 'silent', ...env(port) }),
        { logger: createLogger('silent'), healthIntervalMs: 50 },
      );
      const readyz = async () =>
        readinessBody.parse(await (await fetch(`${service!.url}/readyz`)).json());
      await eventually(async () => expect((await readyz()).checks[check]).toMatch(/unreachable/));

      proxy = await startTcpProxy(port, target);

      await eventually(async () => expect(await readyz()).toMatchObject({ ready: true }), {
        timeoutMs: 60_000,
        intervalMs: 100,
      });
      const outTradeNo = `T${Date.now()}`;
      const created = await fetch(`${service.url}/v1/refunds`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ outTradeNo, totalFee: 100 }),
      });
      expect(created.status).toBe(202);
      await eventually(async () =>
        expect((await fetch(`${service!.url}/v1/orders/${outTradeNo}/refunds`)).status).toBe(200),
      );
    }, 90_000);
  });

const esdb = serverFrom('ESDB_CONNECTION_STRING', 'the EventStoreDB reconnection test');
if (esdb) {
  const url = new URL(esdb);
  scenario(
    'EventStoreDB',
    (port) => {
      const proxied = new URL(esdb);
      proxied.host = `127.0.0.1:${port}`;
      return { EVENT_STORE: 'esdb', ESDB_CONNECTION_STRING: proxied.toString() };
    },
    { host: url.hostname, port: Number(url.port || 2113) },
    'eventStore',
  );
}

const mongo = serverFrom('MONGO_URL', 'the MongoDB reconnection test');
if (mongo) {
  // One host of the URL; through the proxy the driver talks to it directly (no replica-set
  // discovery, which would hand it the members' own addresses).
  const match = /^mongodb:\/\/([^@/]+@)?([^/?,:]+)(?::(\d+))?/.exec(mongo);
  if (!match) throw new Error('MONGO_URL must be a mongodb:// URL with a host for this test');
  scenario(
    'MongoDB',
    (port) => ({
      READ_STORE: 'mongo',
      MONGO_URL: `mongodb://${match[1] ?? ''}127.0.0.1:${port}/?directConnection=true&serverSelectionTimeoutMS=1000`,
      MONGO_DB: `refunds_reconnect_${Date.now()}`,
    }),
    { host: match[2]!, port: Number(match[3] ?? 27017) },
    'readStore',
  );
}
