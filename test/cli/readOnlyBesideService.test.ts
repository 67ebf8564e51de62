import { describe, expect, it } from 'vitest';
import type { EventStore } from '../../src/application/ports/eventStore.js';
import {
  openReadOnlyDocumentStore,
  openReadOnlyEventStore,
} from '../../src/infrastructure/stores/openReadOnlyStores.js';
import { runAudit } from '../../src/audit/runAudit.js';
import { eventually } from '../support/eventually.js';
import { projectedLog } from '../support/projectedLog.js';
import { childStartMs, collect, spawnTs, spawningTestMs } from '../support/spawnTs.js';
import { tempDirPerTest, testAppPerTest, testConfig } from '../support/fixtures.js';

const json = { 'content-type': 'application/json' };

describe('the read-only commands beside a running service', () => {
  const t = testAppPerTest();

  const post = (n: number) =>
    t.app.inject({
      method: 'POST',
      url: '/v1/refunds',
      headers: json,
      payload: JSON.stringify({
        outTradeNo: `T${n % 10}`,
        outRefundNo: `R${n}`,
        totalFee: 1000,
        refundFee: 10,
      }),
    });

  it('given an audit paused between two pages, when the service takes refunds meanwhile, then they succeed and the audit stays clean', async () => {
    for (let n = 0; n < 50; n++) expect((await post(n)).statusCode).toBe(202);
    await t.projected();

    const config = testConfig({ DATA_DIR: t.dataDir });
    const events = openReadOnlyEventStore(config);
    const documents = openReadOnlyDocumentStore(config);
    let pages = 0;
    const statuses: number[] = [];
    // The audit's own store, paused at its second page (its connections open) until the service
    // has taken more refunds and projected them.
    const pausing: EventStore = {
      ...events,
      readCategory: async (category, options) => {
        pages += 1;
        if (pages === 2) {
          for (let n = 50; n < 70; n++) statuses.push((await post(n)).statusCode);
          await t.projected();
        }
        return events.readCategory(category, options);
      },
    };
    try {
      const report = await runAudit({
        events: pausing,
        documents,
        now: new Date(),
        staleAfterSeconds: 600,
        pageSize: 10,
      });

      expect(statuses).toEqual(Array.from({ length: 20 }, () => 202));
      expect(report.clean).toBe(true);
      expect(report.log.events).toBe(50);
      expect(report.readModels).toEqual([
        expect.objectContaining({ name: 'refund_view', compared: 50, newerThanAudit: 20 }),
        expect.objectContaining({ name: 'order_ledger', compared: 0, newerThanAudit: 10 }),
      ]);
    } finally {
      await documents?.close();
      await events.close();
    }
  });
});

describe('refunds audit and export beside refunds serve', () => {
  const temp = tempDirPerTest();

  it(
    'given a service running on a DATA_DIR, when audit and export run on it, then the service keeps taking refunds and both finish cleanly',
    async () => {
      const log = await projectedLog(temp.dir, 1000);
      await log.close();
      const env = { DATA_DIR: temp.dir, LOG_LEVEL: 'silent' };
      const service = spawnTs('src/cli/refunds.ts', ['serve'], {
        ...env,
        PORT: '0',
        LOG_LEVEL: 'info',
      });
      const served = collect(service);
      try {
        const url = await eventually(
          () => {
            const match = /"url":"(http:\/\/[^"]+)"/.exec(served.output().stdout);
            expect(match, served.output().stderr).not.toBeNull();
            return match![1]!;
          },
          { timeoutMs: childStartMs },
        );

        const audit = collect(spawnTs('src/cli/refunds.ts', ['audit', '--json'], env));
        const exported = collect(
          spawnTs('src/cli/refunds.ts', ['export', '--format', 'jsonl'], env),
        );
        let running = true;
        const finished = Promise.all([audit.completion, exported.completion]).finally(() => {
          running = false;
        });
        const statuses: number[] = [];
        let whileRunning = 0;
        for (let n = 0; running; n++) {
          const response = await fetch(`${url}/v1/refunds`, {
            method: 'POST',
            headers: json,
            body: JSON.stringify({ outTradeNo: `LIVE${n}`, totalFee: 100 }),
          });
          statuses.push(response.status);
          if (running) whileRunning += 1;
        }
        const [audited, exportedRun] = await finished;

        expect(new Set(statuses)).toEqual(new Set([202]));
        expect(whileRunning).toBeGreaterThan(0);
        expect(audited.code, audited.stderr).toBe(0);
        expect(JSON.parse(audited.stdout)).toMatchObject({ clean: true });
        expect(exportedRun.code, exportedRun.stderr).toBe(0);
        expect(exportedRun.stdout.trim().split('\n').length).toBeGreaterThanOrEqual(1000);
      } finally {
        service.kill('SIGTERM');
        await served.completion;
      }
      // The service, then audit and export side by side.
    },
    spawningTestMs(2),
  );
});
