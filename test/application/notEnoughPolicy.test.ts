import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { CommandContext } from '../../src/application/eventMetadata.js';
import { createRefundCommandHandler } from '../../src/application/handleRefundCommand.js';
import { notEnoughPolicy } from '../../src/application/notEnoughPolicy.js';
import type { RecordedEvent } from '../../src/application/ports/eventStore.js';
import type { RefundCommand } from '../../src/domain/index.js';
import {
  failRefund,
  markSucceeded,
  requestRefund,
  retryRefund,
} from '../domain/refund/refundFixtures.js';
import { sqliteStoresPerTest } from '../support/fixtures.js';

const failedAt = Date.parse('2026-11-28T08:00:00.000Z');
const api: CommandContext = { correlationId: 'c', causationId: 'c', source: 'api' };
const gateway: CommandContext = { ...api, source: 'gateway' };

describe('the NOTENOUGH policy (NOTENOUGH_RETRY_SECONDS=600,3600)', () => {
  const stores = sqliteStoresPerTest();

  /** The policy at `now`, over a refund whose history the commands make. */
  const policyAt = async (now: number, history: [RefundCommand, CommandContext][]) => {
    const handle = createRefundCommandHandler({ events: stores.events });
    for (const [command, context] of history) await handle(command, context);
    const policy = notEnoughPolicy({
      events: stores.events,
      handle,
      clock: { now: () => new Date(now) },
      log: pino({ level: 'silent' }),
      random: () => 0.5,
      scheduleMs: [600_000, 3_600_000],
    });
    const stream = await stores.events.readStream('refund-R1');
    const work = (recorded: RecordedEvent | undefined) => {
      const decided = recorded && policy.decide(recorded);
      if (!decided) throw new Error('the policy has nothing to do');
      return policy.act(decided, { retryCount: 0 });
    };
    return { policy, stream, work, after: () => stores.events.readStream('refund-R1') };
  };
  const notEnough = (at: number): [RefundCommand, CommandContext] => [
    failRefund('request', 'NOTENOUGH', { failedAt: new Date(at).toISOString() }),
    gateway,
  ];

  it('given a NOTENOUGH failure, before its delay, then it waits exactly what is left', async () => {
    const { stream, work } = await policyAt(failedAt + 60_000, [
      [requestRefund(), api],
      notEnough(failedAt),
    ]);
    expect(await work(stream.at(-1))).toEqual({ kind: 'later', delayMs: 540_000 });
  });

  it('given its delay passed, then a retry of that attempt with source policy, caused by the failure', async () => {
    const { stream, work, after } = await policyAt(failedAt + 600_000, [
      [requestRefund(), api],
      notEnough(failedAt),
    ]);
    expect(await work(stream.at(-1))).toEqual({ kind: 'done' });
    const retried = (await after()).at(-1)!;
    expect(retried.type).toBe('RefundRequested');
    expect(retried.data).toMatchObject({ attempt: 2 });
    expect(retried.metadata).toMatchObject({ source: 'policy', causationId: stream.at(-1)!.id });
  });

  it('given one policy retry failed too, then the next delay of the schedule counts from that failure; after the last, nothing', async () => {
    const second = failedAt + 700_000;
    const { stream, work } = await policyAt(second + 1000, [
      [requestRefund(), api],
      notEnough(failedAt),
      [retryRefund(new Date(failedAt + 600_000).toISOString()), { ...api, source: 'policy' }],
      notEnough(second),
    ]);
    expect(await work(stream.at(-1))).toEqual({ kind: 'later', delayMs: 3_599_000 });

    const exhausted = await policyAt(second + 3_600_000, [
      [retryRefund(new Date(second + 3_600_000).toISOString()), { ...api, source: 'policy' }],
      notEnough(second + 3_600_000),
    ]);
    expect(await exhausted.work(exhausted.stream.at(-1))).toEqual({ kind: 'done' });
    expect(await exhausted.after()).toHaveLength(exhausted.stream.length);
  });

  it('given a manual retry after the failure, then the schedule starts again at its first delay', async () => {
    const { stream, work } = await policyAt(failedAt + 2_000_000, [
      [requestRefund(), api],
      notEnough(failedAt),
      [retryRefund(new Date(failedAt + 600_000).toISOString()), { ...api, source: 'policy' }],
      notEnough(failedAt + 700_000),
      [retryRefund(new Date(failedAt + 800_000).toISOString()), api],
      notEnough(failedAt + 1_900_000),
    ]);
    expect(await work(stream.at(-1))).toEqual({ kind: 'later', delayMs: 500_000 });
  });

  it('given the refund moved on after the failure (retried, or SUCCESS from WeChat), then nothing', async () => {
    const { stream, work, after } = await policyAt(failedAt + 600_000, [
      [requestRefund(), api],
      notEnough(failedAt),
      [markSucceeded(), { ...api, source: 'notification' }],
    ]);
    expect(await work(stream[1])).toEqual({ kind: 'done' });
    expect(await after()).toHaveLength(3);
  });

  it('given a retry overdue by more than an hour (a failure from before the policy was on), then none is made', async () => {
    const { stream, work, after } = await policyAt(failedAt + 600_000 + 3_600_001, [
      [requestRefund(), api],
      notEnough(failedAt),
    ]);
    expect(await work(stream.at(-1))).toEqual({ kind: 'done' });
    expect(await after()).toHaveLength(2);
  });

  it('given failures other than an empty balance, then the policy has nothing to do', async () => {
    const { policy, stream } = await policyAt(failedAt, [
      [requestRefund(), api],
      [failRefund('request', 'TRADE_OVERDUE'), gateway],
    ]);
    expect(stream.map((recorded) => policy.decide(recorded))).toEqual([undefined, undefined]);
  });
});
