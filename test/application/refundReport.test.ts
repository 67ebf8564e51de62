import { describe, expect, it } from 'vitest';
import {
  commandForReport,
  reportedStatus,
  type RefundReport,
} from '../../src/application/refundReport.js';
import { decide, evolve, initialRefund, type RefundEvent } from '../../src/domain/index.js';
import {
  later,
  notifiedOrder,
  refundAccepted,
  refundId,
  refundRequested,
} from '../domain/refund/refundFixtures.js';

const report = (outcome: RefundReport['outcome'], extra: Partial<RefundReport> = {}) => ({
  outRefundNo: 'R1',
  refundId,
  refundFee: 1990,
  order: notifiedOrder,
  outcome,
  ...extra,
});

const succeeded = {
  status: 'succeeded',
  settlementRefundFee: 0,
  refundRecvAccount: '支付用户零钱',
  refundAccount: 'REFUND_SOURCE_UNSETTLED_FUNDS',
  refundRequestSource: 'API',
} as const;

/** The refund's events after the reports, each translated as it arrives. */
const after = (history: RefundEvent[], reports: RefundReport[]): RefundEvent[] =>
  reports.reduce(
    (events, r) => [
      ...events,
      ...decide(commandForReport(r, later), events.reduce(evolve, initialRefund)),
    ],
    history,
  );

describe('a WeChat report as a command', () => {
  it('given a success without a success time, then MarkRefundSucceeded at the time recorded, with the order', () => {
    expect(commandForReport(report(succeeded), later)).toEqual({
      type: 'MarkRefundSucceeded',
      data: {
        outRefundNo: 'R1',
        refundId,
        refundFee: 1990,
        settlementRefundFee: 0,
        refundRecvAccount: '支付用户零钱',
        refundAccount: 'REFUND_SOURCE_UNSETTLED_FUNDS',
        refundRequestSource: 'API',
        successTime: later,
        recordedAt: later,
        order: notifiedOrder,
      },
    });
  });

  it.each(['REFUNDCLOSE', 'CHANGE', 'CLOSED', 'ABNORMAL'])(
    'given a failure %s, then FailRefund at settlement with that code, the refund id and the amount to check',
    (code) => {
      expect(commandForReport(report({ status: 'failed', code, message: 'm' }), later)).toEqual({
        type: 'FailRefund',
        data: {
          outRefundNo: 'R1',
          stage: 'settlement',
          code,
          message: 'm',
          failedAt: later,
          refundId,
          refundFee: 1990,
          order: notifiedOrder,
        },
      });
    },
  );

  it('given processing, then AcceptRefund with the order’s transaction id', () => {
    expect(
      commandForReport(report({ status: 'processing', settlementRefundFee: 1990 }), later),
    ).toEqual({
      type: 'AcceptRefund',
      data: {
        outRefundNo: 'R1',
        refundId,
        transactionId: notifiedOrder.transactionId,
        refundFee: 1990,
        settlementRefundFee: 1990,
        acceptedAt: later,
      },
    });
  });

  it('given a success and a failure, then the idempotency guard knows them as SUCCESS and as the code', () => {
    expect(reportedStatus(succeeded)).toBe('SUCCESS');
    expect(reportedStatus({ status: 'failed', code: 'ABNORMAL', message: 'm' })).toBe('ABNORMAL');
  });

  it('given an accepted refund, when v3 reports ABNORMAL and later SUCCESS, then it fails at settlement and then succeeds', () => {
    const events = after(
      [refundRequested(), refundAccepted()],
      [report({ status: 'failed', code: 'ABNORMAL', message: 'm' }), report(succeeded)],
    );

    expect(events.map((e) => e.type)).toEqual([
      'RefundRequested',
      'RefundAccepted',
      'RefundFailed',
      'RefundSucceeded',
    ]);
    expect(events.reduce(evolve, initialRefund).status).toBe('SUCCEEDED');
  });

  it.each([
    ['another refund id', { refundId: '50000000000000000000000000001' }, 'REFUND_ID_MISMATCH'],
    ['another amount', { refundFee: 1000 }, 'REFUND_AMOUNT_MISMATCH'],
  ])(
    'given an accepted refund, when a failure reports %s, then it is refused as for a success',
    (_case, extra, code) => {
      for (const outcome of [
        { status: 'failed', code: 'REFUNDCLOSE', message: 'm' } as const,
        succeeded,
      ]) {
        expect(() =>
          after([refundRequested(), refundAccepted()], [report(outcome, extra)]),
        ).toThrowError(expect.objectContaining({ code }));
      }
    },
  );
});
