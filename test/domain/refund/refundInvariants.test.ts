import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decide,
  evolve,
  illegalTransition,
  initialRefund,
  RefundRuleViolation,
  refundAccounts,
  type Refund,
  type RefundCommand,
  type RefundEvent,
} from '../../../src/domain/index.js';
import { at, later, notifiedOrder, refundId, terms } from './refundFixtures.js';

const fee = fc.constantFrom(1990, 1000);
const anyRefundId = fc.constantFrom(refundId, '50000000000000000000000000001');

const account = fc.constantFrom(undefined, ...refundAccounts);

const command: fc.Arbitrary<RefundCommand> = fc.oneof(
  fc
    .record({ refundFee: fee, reason: fc.constantFrom(terms.reason, 'other'), account })
    .map(({ refundFee, reason, account }): RefundCommand => ({
      type: 'RequestRefund',
      data: {
        ...terms,
        refundFee,
        reason,
        requestedAt: at,
        ...(account !== undefined && { refundAccount: account }),
      },
    })),
  fc
    .record({ refundId: anyRefundId, refundFee: fee })
    .map(({ refundId, refundFee }): RefundCommand => ({
      type: 'AcceptRefund',
      data: { outRefundNo: 'R1', refundId, refundFee, acceptedAt: later },
    })),
  fc
    .record({ refundId: anyRefundId, refundFee: fee, withOrder: fc.boolean() })
    .map(({ refundId, refundFee, withOrder }): RefundCommand => ({
      type: 'MarkRefundSucceeded',
      data: {
        outRefundNo: 'R1',
        refundId,
        refundFee,
        settlementRefundFee: refundFee,
        refundRecvAccount: '支付用户零钱',
        refundAccount: 'REFUND_SOURCE_UNSETTLED_FUNDS',
        refundRequestSource: 'API',
        successTime: '2018-11-19T16:24:13+08:00',
        recordedAt: later,
        ...(withOrder && { order: notifiedOrder }),
      },
    })),
  fc
    .record({
      failure: fc.constantFrom(
        { stage: 'request', code: 'NOTENOUGH' } as const,
        { stage: 'request', code: 'TRADE_OVERDUE' } as const,
        { stage: 'settlement', code: 'REFUNDCLOSE' } as const,
        { stage: 'settlement', code: 'CHANGE' } as const,
      ),
      withOrder: fc.boolean(),
    })
    .map(({ failure: { stage, code }, withOrder }): RefundCommand => ({
      type: 'FailRefund',
      data: {
        outRefundNo: 'R1',
        stage,
        code,
        message: code,
        failedAt: later,
        ...(withOrder && { refundFee: 1990, order: notifiedOrder }),
      },
    })),
  fc.record({ account }).map(({ account }): RefundCommand => ({
    type: 'RetryRefund',
    data: {
      outRefundNo: 'R1',
      requestedAt: later,
      ...(account !== undefined && { refundAccount: account }),
    },
  })),
);

/** Runs the commands as the command handler would: rejected commands change nothing. */
const run = (commands: RefundCommand[]) => {
  let state: Refund = initialRefund;
  const log: { before: Refund; event: RefundEvent }[] = [];
  for (const c of commands) {
    let events: RefundEvent[];
    try {
      events = decide(c, state);
    } catch (error) {
      expect(error).toBeInstanceOf(RefundRuleViolation);
      continue;
    }
    for (const event of events) {
      log.push({ before: state, event });
      state = evolve(state, event);
    }
  }
  return log;
};

describe('Refund invariants over random command sequences', () => {
  const sequences = fc.array(command, { maxLength: 25 });

  it('every event decide produces is a legal transition, and only rule violations are thrown', () => {
    fc.assert(
      fc.property(sequences, (commands) => {
        for (const { before, event } of run(commands)) {
          expect(illegalTransition(before, event)).toBeUndefined();
        }
      }),
      { numRuns: 500 },
    );
  });

  it('the amounts never change after the first request', () => {
    fc.assert(
      fc.property(sequences, (commands) => {
        const log = run(commands);
        const first = log.find((entry) => entry.event.type === 'RefundRequested')?.event;
        if (first?.type !== 'RefundRequested') return;
        for (const { event } of log) {
          if (event.type === 'RefundFailed') continue;
          expect(event.data.refundFee).toBe(first.data.refundFee);
          if (event.type === 'RefundRequested') {
            expect(event.data.totalFee).toBe(first.data.totalFee);
            expect(event.data.outTradeNo).toBe(first.data.outTradeNo);
            expect(event.data.reason).toBe(first.data.reason);
          }
        }
      }),
      { numRuns: 500 },
    );
  });

  it('a SUCCEEDED refund stays SUCCEEDED', () => {
    fc.assert(
      fc.property(sequences, (commands) => {
        const log = run(commands);
        const succeededAt = log.findIndex((entry) => entry.event.type === 'RefundSucceeded');
        if (succeededAt === -1) return;
        expect(log.slice(succeededAt + 1)).toEqual([]);
      }),
      { numRuns: 500 },
    );
  });

  it('a new attempt only follows a request-stage failure, and attempts count up by one', () => {
    fc.assert(
      fc.property(sequences, (commands) => {
        let attempts = 0;
        for (const { before, event } of run(commands)) {
          if (event.type !== 'RefundRequested') continue;
          attempts += 1;
          expect(event.data.attempt).toBe(attempts);
          if (attempts > 1) expect(before).toMatchObject({ status: 'FAILED', stage: 'request' });
        }
      }),
      { numRuns: 500 },
    );
  });
});
