import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { RecordedEvent } from '../../src/application/ports/eventStore.js';
import {
  CorruptEventError,
  decodeRefundEvent,
  encodeRefundEvent,
  refundStreamName,
  UnreadableEventError,
} from '../../src/application/refundEventCodec.js';
import { commandForReport, type RefundReport } from '../../src/application/refundReport.js';
import {
  decide,
  evolve,
  initialRefund,
  maxFen,
  RefundRuleViolation,
  type Refund,
  type RefundCommand,
  type RefundEvent,
} from '../../src/domain/index.js';
import { refundSucceeded } from '../domain/refund/refundFixtures.js';

const context = { correlationId: 'c1', causationId: 'c1', source: 'api' } as const;

/** The event as a store gives it back: its data and metadata through JSON, as every store keeps them. */
const stored = (event: RefundEvent, revision: number): RecordedEvent => {
  const appended = encodeRefundEvent(event, context, { commandId: 'cmd-1', index: revision });
  return {
    id: appended.id,
    streamName: refundStreamName(event.data.outRefundNo),
    type: appended.type,
    revision: BigInt(revision),
    position: BigInt(revision + 1),
    recordedAt: '2026-11-28T08:00:00.000Z',
    data: JSON.parse(JSON.stringify(appended.data)),
    metadata: JSON.parse(JSON.stringify(appended.metadata)),
  };
};

const time = fc.constantFrom('2026-11-28T08:00:00.000Z', '2018-11-19T16:24:13+08:00');
const id = fc.stringMatching(/^[0-9A-Za-z_\-|*@]{1,32}$/);
const text = fc.string({ unit: 'binary', maxLength: 40 });
const amount = fc.integer({ min: 1, max: maxFen });
/** Settlement amounts: 0 (paid by coupon) and the extremes on purpose. */
const settlement = fc.oneof(fc.constantFrom(0, 1, maxFen), fc.integer({ min: 0, max: maxFen }));
/** WeChat's settlement failure codes, v2 and v3, and any other WeChat may add. */
const failureCode = fc.oneof(fc.constantFrom('REFUNDCLOSE', 'CHANGE', 'CLOSED', 'ABNORMAL'), text);

/**
 * Every kind of command a handler issues for one refund: the API's request and retry, the
 * gateway's answers, and every WeChat report (notification or query, any API version) through
 * the one translation. Amounts and ids are either the refund's own or random, so that the
 * decider both accepts and refuses them.
 */
const commands = (outRefundNo: string, refundFee: number, refundId: string) => {
  const fee = fc.oneof(fc.constant(refundFee), amount);
  const anyRefundId = fc.oneof(fc.constant(refundId), id);
  const order = fc.record({ outTradeNo: id, transactionId: id, totalFee: amount });
  const report: fc.Arbitrary<RefundReport> = fc.record(
    {
      outRefundNo: fc.constant(outRefundNo),
      refundId: anyRefundId,
      refundFee: fee,
      order,
      outcome: fc.oneof(
        fc.record(
          {
            status: fc.constant('succeeded' as const),
            settlementRefundFee: settlement,
            refundRecvAccount: text,
            refundAccount: text,
            refundRequestSource: fc.constantFrom('API', 'VENDOR_PLATFORM'),
            successTime: time,
          },
          {
            requiredKeys: [
              'status',
              'settlementRefundFee',
              'refundRecvAccount',
              'refundAccount',
              'refundRequestSource',
            ],
          },
        ),
        fc.record({ status: fc.constant('failed' as const), code: failureCode, message: text }),
        fc.record(
          { status: fc.constant('processing' as const), settlementRefundFee: settlement },
          { requiredKeys: ['status'] },
        ),
      ),
    },
    { requiredKeys: ['outRefundNo', 'refundId', 'refundFee', 'outcome'] },
  );
  return fc.oneof(
    fc
      .record(
        { outTradeNo: id, totalFee: amount, transactionId: id, reason: text },
        { requiredKeys: ['outTradeNo', 'totalFee'] },
      )
      .map((terms): RefundCommand => ({
        type: 'RequestRefund',
        data: {
          ...terms,
          outRefundNo,
          totalFee: Math.max(terms.totalFee, refundFee),
          refundFee,
          requestedAt: '2026-11-28T08:00:00.000Z',
        },
      })),
    fc
      .record(
        {
          refundId: anyRefundId,
          refundFee: fee,
          transactionId: id,
          settlementRefundFee: settlement,
          cashRefundFee: settlement,
          acceptedAt: time,
        },
        { requiredKeys: ['refundId', 'refundFee', 'acceptedAt'] },
      )
      .map((accepted): RefundCommand => ({
        type: 'AcceptRefund',
        data: { outRefundNo, ...accepted },
      })),
    fc.record({ code: text, message: text, failedAt: time }).map((failure): RefundCommand => ({
      type: 'FailRefund',
      data: { outRefundNo, stage: 'request', ...failure },
    })),
    fc.tuple(report, time).map(([r, at]) => commandForReport(r, at)),
    fc.constant<RefundCommand>({
      type: 'RetryRefund',
      data: { outRefundNo, requestedAt: '2026-11-28T09:00:00.000Z' },
    }),
  );
};

const histories = fc
  .record({
    outRefundNo: fc.stringMatching(/^[0-9A-Za-z_\-|*@]{1,64}$/),
    refundFee: amount,
    refundId: id,
  })
  .chain(({ outRefundNo, refundFee, refundId }) =>
    fc.array(commands(outRefundNo, refundFee, refundId), { maxLength: 12 }),
  );

/** The events the decider emits for the commands, as the command handler would append them. */
const emitted = (commands: RefundCommand[]): RefundEvent[] => {
  let state: Refund = initialRefund;
  const events: RefundEvent[] = [];
  for (const command of commands) {
    let decided: RefundEvent[];
    try {
      decided = decide(command, state);
    } catch (error) {
      if (error instanceof RefundRuleViolation) continue;
      throw error;
    }
    events.push(...decided);
    state = decided.reduce(evolve, state);
  }
  return events;
};

describe('the refund event codec', () => {
  it('round-trips every event any handler can emit: the decider over random commands, notifications and query answers', () => {
    const types = new Set<string>();
    fc.assert(
      fc.property(histories, (commands) => {
        emitted(commands).forEach((event, revision) => {
          types.add(event.type);
          expect(decodeRefundEvent(stored(event, revision)).event).toEqual(event);
        });
      }),
      { numRuns: 2000, seed: 20261128 },
    );
    // The run reached every type of event, not a corner of them.
    expect([...types].sort()).toEqual([
      'RefundAccepted',
      'RefundFailed',
      'RefundRequested',
      'RefundSucceeded',
    ]);
  });

  it('given a settlement amount of 0 (a refund paid by coupon), then it is appended and read back', () => {
    const event = refundSucceeded({ settlementRefundFee: 0 });

    expect(decodeRefundEvent(stored(event, 2)).event).toEqual(event);
  });

  it.each([
    ['a negative settlement amount', refundSucceeded({ settlementRefundFee: -1 })],
    ['an amount past 2,147,483,647', refundSucceeded({ refundFee: maxFen + 1 })],
    ['a fractional amount', refundSucceeded({ refundFee: 19.9 })],
  ])('given an event with %s, then it is refused before it is appended', (_case, event) => {
    expect(() => encodeRefundEvent(event, context, { commandId: 'cmd-1', index: 0 })).toThrow(
      UnreadableEventError,
    );
  });

  it('given a stored event that does not decode, then CorruptEventError names its stream and revision', () => {
    const recorded = { ...stored(refundSucceeded(), 2), data: { outRefundNo: 'R1' } };

    expect(() => decodeRefundEvent(recorded)).toThrow(
      expect.objectContaining({
        name: CorruptEventError.name,
        code: 'CORRUPT_EVENT',
        streamName: 'refund-R1',
        revision: 2n,
      }),
    );
  });
});
