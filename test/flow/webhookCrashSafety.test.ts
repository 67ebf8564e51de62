import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { closedPort } from '../support/closedPort.js';
import { eventually } from '../support/eventually.js';
import { childStartMs, collect, killHard, spawningTestMs } from '../support/spawnTs.js';
import { spawnedPerTest, tempDirPerTest } from '../support/fixtures.js';
import { getJson } from '../support/testService.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhookReceiver.js';

/**
 * Attempts in flight to one endpoint at most (the dispatcher's default per-endpoint lane): a lane
 * claims a page of due deliveries at once, never more than it has room for, so the bound holds.
 */
const perEndpointInFlight = 8;

/**
 * The service killed with SIGKILL while deliveries are pending and in flight, then restarted on
 * the same data: every event is delivered (none lost), nothing but the log's events is delivered
 * (none invented), and an event already delivered is delivered again only if its attempt was in
 * flight at the kill (at least once): at most one extra delivery for each of those.
 */
describe('webhook delivery across a crash', () => {
  const temp = tempDirPerTest();
  const processes = spawnedPerTest();
  let receiver: WebhookReceiver | undefined;
  afterEach(() => receiver?.close());

  it(
    'given deliveries in flight, when the service is killed and restarted, then every event is delivered, none invented, and repeats stay within the in-flight bound',
    async () => {
      // Slow to answer, so that attempts are in flight when the process dies.
      receiver = await startWebhookReceiver(() => ({ status: 200, delayMs: 150 }));
      const port = await closedPort();
      const url = `http://127.0.0.1:${port}`;
      const env = {
        DATA_DIR: path.join(temp.dir, 'data'),
        PORT: String(port),
        LOG_LEVEL: 'warn',
        GATEWAY_RETRY_BASE_MS: '50',
        RECONCILE_AFTER_SECONDS: '1',
        RECONCILE_INTERVAL_SECONDS: '1',
        ORDER_REFUND_SPACING_SECONDS: '0',
        // Long enough that no attempt times out on a busy machine: a timeout the receiver did see
        // is a repeat too (at least once), and this test counts the crash's repeats alone. The
        // attempts in flight at the kill are made again when their claims end, 9 s later.
        WEBHOOK_TIMEOUT_MS: '8000',
        WEBHOOK_RETRY_SCHEDULE_SECONDS: '0.2,0.2,0.2,0.2,0.2',
      };
      const serve = async () => {
        const child = processes.spawn('src/cli/refunds.ts', ['serve'], env);
        const output = collect(child).output;
        await eventually(
          async () => expect((await fetch(`${url}/healthz`)).status, output().stderr).toBe(200),
          { timeoutMs: childStartMs },
        );
        return child;
      };

      const first = await serve();
      const created = await fetch(`${url}/v1/webhook-endpoints`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ url: receiver.url }),
      });
      expect(created.status).toBe(201);
      await Promise.all(
        Array.from({ length: 30 }, async (_, i) => {
          const response = await fetch(`${url}/v1/refunds`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ outTradeNo: `T${i}`, outRefundNo: `R${i}`, totalFee: 1000 + i }),
          });
          expect(response.status).toBe(202);
        }),
      );
      await eventually(() => expect(receiver!.received.length).toBeGreaterThanOrEqual(20), {
        timeoutMs: 60_000,
      });
      await killHard(first);
      const beforeKill = receiver.received.length;

      await serve();
      const loggedIds = async (): Promise<string[]> => {
        const ids: string[] = [];
        for (let after: string | undefined; ;) {
          const page = await getJson(`${url}/v1/events?limit=500${after ? `&after=${after}` : ''}`);
          ids.push(...page.data.map((event: { id: string }) => event.id));
          if (page.data.length === 0) return ids;
          after = page.nextCursor;
        }
      };
      // Refunds may go on settling after the restart; wait until everything in the log was heard.
      const logged = await eventually(
        async () => {
          const ids = await loggedIds();
          const heard = new Set(receiver!.received.map((r) => String(r.headers['webhook-id'])));
          expect(ids.filter((id) => !heard.has(id))).toEqual([]);
          expect(ids.length).toBeGreaterThanOrEqual(30);
          return ids;
        },
        { timeoutMs: 120_000, intervalMs: 250 },
      );

      const counts = new Map<string, number>();
      for (const r of receiver.received) {
        const id = String(r.headers['webhook-id']);
        counts.set(id, (counts.get(id) ?? 0) + 1);
      }
      const repeats = [...counts.values()].reduce((sum, n) => sum + n - 1, 0);
      expect([...counts.keys()].filter((id) => !logged.includes(id))).toEqual([]);
      expect(Math.max(...counts.values())).toBeLessThanOrEqual(2);
      expect(repeats).toBeLessThanOrEqual(perEndpointInFlight);
      expect(beforeKill).toBeGreaterThan(0);
    },
    spawningTestMs(2, 240_000),
  );
});
