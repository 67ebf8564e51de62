import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { CommandContext } from '../../../src/application/eventMetadata.js';
import type { RecordedEvent } from '../../../src/application/ports/eventStore.js';
import { encodeRefundEvent } from '../../../src/application/refundEventCodec.js';
import type { SendResult } from '../../../src/application/sendRefund.js';
import type { RefundEvent } from '../../../src/domain/index.js';
import { gatewayReactor } from '../../../src/application/gatewayReactor.js';
import type { Reactor } from '../../../src/application/reactor.js';
import { reactorDelivery } from '../../../src/infrastructure/esdb/reactorDelivery.js';
import { refundAccepted, refundRequested } from '../../domain/refund/refundFixtures.js';

const api = { correlationId: 'corr-1', causationId: 'req-1', source: 'api' } as const;

const recordedOf = (event: RefundEvent, position = 2n ** 60n): RecordedEvent => {
  const encoded = encodeRefundEvent(event, api, { commandId: 'cmd-1', index: 0 });
  return {
    ...encoded,
    streamName: 'refund-R1',
    revision: 0n,
    position,
    recordedAt: '2026-11-28T08:00:00.000Z',
  };
};

const log = pino({ level: 'silent' });

/** The delivery handler of a reactor, recording the backoff waits. */
const delivering = <W>(reactor: Reactor<W>) => {
  const waits: number[] = [];
  const deliver = reactorDelivery(reactor, {
    log,
    pause: (delayMs) => {
      waits.push(delayMs);
      return Promise.resolve();
    },
    maxDelayMs: 20_000,
  });
  return { deliver, waits };
};

/** The gateway reactor's delivery handler over a scripted send, recording the calls. */
const harness = (answers: (() => Promise<SendResult>)[]) => {
  const sent: { outRefundNo: string; attempt: number; context: CommandContext }[] = [];
  const gateway = gatewayReactor({
    send: (outRefundNo, attempt, context) => {
      sent.push({ outRefundNo, attempt, context });
      const answer = answers.shift();
      if (!answer) throw new Error('no more scripted answers');
      return answer();
    },
    log,
    random: () => 1,
    retryBaseMs: 1000,
  });
  return { ...delivering(gateway), sent };
};

describe('gateway delivery of a persistent subscription event', () => {
  it('given a RefundRequested, when the answer is recorded, then it is sent in the gateway’s name and acked', async () => {
    const { deliver, sent, waits } = harness([() => Promise.resolve({ kind: 'recorded' })]);
    const requested = recordedOf(refundRequested({ attempt: 2 }));

    expect(await deliver(requested, 0)).toEqual({ kind: 'ack' });
    expect(sent).toEqual([
      {
        outRefundNo: 'R1',
        attempt: 2,
        context: { correlationId: 'corr-1', causationId: requested.id, source: 'gateway' },
      },
    ]);
    expect(waits).toEqual([]);
  });

  it('given an attempt already answered elsewhere, when send skips it, then it is acked', async () => {
    const { deliver } = harness([() => Promise.resolve({ kind: 'skipped' })]);

    expect(await deliver(recordedOf(refundRequested()), 3)).toEqual({ kind: 'ack' });
  });

  it('given another event type, then it is acked without sending', async () => {
    const { deliver, sent } = harness([]);

    expect(await deliver(recordedOf(refundAccepted()), 0)).toEqual({ kind: 'ack' });
    expect(sent).toEqual([]);
  });

  it('given WeChat gives no answer, then it waits a backoff grown with the retry count and nacks for a retry', async () => {
    const { deliver, waits } = harness([
      () => Promise.resolve({ kind: 'retry', code: 'SYSTEMERROR', message: '系统超时' }),
      () => Promise.resolve({ kind: 'retry', code: 'SYSTEMERROR', message: '系统超时' }),
      () => Promise.resolve({ kind: 'retry', code: 'SYSTEMERROR', message: '系统超时' }),
    ]);
    const requested = recordedOf(refundRequested());

    expect(await deliver(requested, 0)).toEqual({
      kind: 'nack',
      action: 'retry',
      reason: 'SYSTEMERROR: 系统超时',
    });
    await deliver(requested, 2);
    await deliver(requested, 40);

    // random() = 1: the top of each window; doubling from the base, capped under the timeout.
    expect(waits).toEqual([1000, 4000, 20_000]);
  });

  it('given a refund held back by the spacing of its order’s refunds, then it waits until due (at most the cap) and is handed back, not counted a failure', async () => {
    const { deliver, waits } = harness([
      () => Promise.resolve({ kind: 'paced', waitMs: 45_000 }),
      () => Promise.resolve({ kind: 'paced', waitMs: 5000 }),
    ]);
    const requested = recordedOf(refundRequested());

    expect(await deliver(requested, 0)).toEqual({
      kind: 'nack',
      action: 'retry',
      reason: 'not due yet',
    });
    await deliver(requested, 1);
    expect(waits).toEqual([20_000, 5000]);
  });

  it('given storing the answer fails, then it nacks for a retry with the reason', async () => {
    const { deliver, waits } = harness([() => Promise.reject(new Error('event store down'))]);

    expect(await deliver(recordedOf(refundRequested()), 1)).toEqual({
      kind: 'nack',
      action: 'retry',
      reason: 'event store down',
    });
    expect(waits).toEqual([2000]);
  });

  it('given an event of the category that does not decode, then it is parked, not sent', async () => {
    const { deliver, sent } = harness([]);
    const corrupt = { ...recordedOf(refundRequested()), data: { outRefundNo: 'R1' } };

    expect(await deliver(corrupt, 0)).toMatchObject({ kind: 'nack', action: 'park' });
    expect(sent).toEqual([]);
  });
});

describe('any reactor on a persistent subscription', () => {
  const requested = recordedOf(refundRequested());
  const failing = (retryDelay: Reactor<string>['retryDelay']): Reactor<string> => ({
    name: 'test',
    decide: (recorded) => recorded.streamName,
    act: () => Promise.resolve({ kind: 'retry', reason: 'endpoint answered 503' }),
    retryDelay,
  });

  it('given a schedule that gives up, when the last try fails, then the event is acked, not nacked', async () => {
    const { deliver, waits } = delivering(
      failing((retryCount) => (retryCount < 2 ? 5 : undefined)),
    );

    expect(await deliver(requested, 1)).toEqual({
      kind: 'nack',
      action: 'retry',
      reason: 'endpoint answered 503',
    });
    expect(await deliver(requested, 2)).toEqual({ kind: 'ack' });
    expect(waits).toEqual([5]);
  });

  it('given an effect that throws, then it is a failed try: nacked for a retry with the reason', async () => {
    const { deliver } = delivering<string>({
      ...failing(() => 5),
      act: () => Promise.reject(new Error('connection reset')),
    });

    expect(await deliver(requested, 0)).toEqual({
      kind: 'nack',
      action: 'retry',
      reason: 'connection reset',
    });
  });
});
