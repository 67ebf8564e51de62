import { describe, expect, it } from 'vitest';
import { createSendBacklog, type RequestedRefund } from '../../src/application/sendBacklog.js';
import { documentSendAttempts } from '../../src/application/sendAttempts.js';
import { captureLogs, logLevel } from '../support/logCapture.js';
import { sqliteStoresPerTest } from '../support/fixtures.js';

const start = Date.parse('2026-11-30T08:00:00.000Z');

describe('the refunds waiting to be sent (WECHAT_MAX_RPS=100)', () => {
  const stores = sqliteStoresPerTest();

  const backlogAt = (now: number, requested: RequestedRefund[]) => {
    const clock = { now: () => new Date(now) };
    const logs = captureLogs('info');
    const attempts = documentSendAttempts(stores.documents, clock);
    const backlog = createSendBacklog({
      // Two pages when there are more than two refunds: the measure takes every page.
      requested: async function* () {
        yield requested.slice(0, 2);
        yield requested.slice(2);
      },
      attempts,
      clock,
      log: logs.logger,
      perSecond: 100,
      intervalMs: 15_000,
    });
    const warnings = () => logs.records().filter((r) => r.level === logLevel.warn);
    return { attempts, backlog, warnings };
  };
  const requested = (count: number, secondsApart: number): RequestedRefund[] =>
    Array.from({ length: count }, (_, i) => ({
      outRefundNo: `R${i}`,
      attempt: 1,
      since: new Date(start + i * secondsApart * 1000).toISOString(),
    }));

  it('given refunds whose sends started, then only the others wait, the oldest of them first', async () => {
    const { attempts, backlog, warnings } = backlogAt(start + 60_000, requested(5, 1));
    await attempts.started('R0', 1);
    await attempts.started('R1', 1);

    expect(await backlog.measure()).toEqual({
      waiting: 3,
      oldestWaitSeconds: 58,
      drainSeconds: 0.03,
    });
    expect(backlog.last().waiting).toBe(3);
    expect(warnings()).toEqual([]);
  });

  it('given a retry whose earlier attempt was sent, then the new attempt waits', async () => {
    const { attempts, backlog } = backlogAt(start + 10_000, [
      { outRefundNo: 'R0', attempt: 2, since: new Date(start).toISOString() },
    ]);
    await attempts.started('R0', 1);
    expect(await backlog.measure()).toMatchObject({ waiting: 1, oldestWaitSeconds: 10 });
  });

  it('given more than a minute of sending waits, then the drain time is logged at warn', async () => {
    const { backlog, warnings } = backlogAt(start, requested(6001, 0));
    expect(await backlog.measure()).toMatchObject({ waiting: 6001, drainSeconds: 60.01 });
    expect(warnings()).toMatchObject([{ waiting: 6001, drainSeconds: 60.01, maxRps: 100 }]);
    expect(warnings()[0]!.msg).toContain('about 61 s to drain');
  });

  it('given no refund waits, then nothing waits and nothing is logged', async () => {
    const { backlog, warnings } = backlogAt(start, []);
    expect(await backlog.measure()).toEqual({ waiting: 0, oldestWaitSeconds: 0, drainSeconds: 0 });
    expect(warnings()).toEqual([]);
  });
});
