import { describe, expect, it } from 'vitest';
import { evolveRefundView, foldRefundView } from '../../src/projections/refundView.js';
import {
  at,
  later,
  refundAccepted,
  refundFailed,
  refundId,
  refundRequested,
  refundSucceeded,
  terms,
} from '../domain/refund/refundFixtures.js';

const requestedView = {
  ...terms,
  status: 'REQUESTED',
  origin: 'api',
  attempt: 1,
  requestedAt: at,
  updatedAt: at,
  version: 1,
};

describe('refund view', () => {
  it('given nothing, when RefundRequested, then a REQUESTED resource at version 1', () => {
    expect(evolveRefundView(null, refundRequested())).toEqual(requestedView);
  });

  it('given a requested refund, when RefundAccepted, then ACCEPTED with the WeChat refund id', () => {
    expect(foldRefundView([refundRequested(), refundAccepted()])).toEqual({
      ...requestedView,
      status: 'ACCEPTED',
      refundId,
      settlementRefundFee: 1990,
      updatedAt: later,
      version: 2,
    });
  });

  it('given an accepted refund, when RefundSucceeded, then SUCCEEDED with what WeChat reported', () => {
    expect(foldRefundView([refundRequested(), refundAccepted(), refundSucceeded()])).toEqual({
      ...requestedView,
      status: 'SUCCEEDED',
      refundId,
      settlementRefundFee: 1990,
      refundRecvAccount: '支付用户零钱',
      successTime: '2018-11-19T16:24:13+08:00',
      updatedAt: later,
      version: 3,
    });
  });

  it('given a requested refund, when RefundFailed, then FAILED with the failure', () => {
    expect(foldRefundView([refundRequested(), refundFailed('request', 'NOTENOUGH')])).toEqual({
      ...requestedView,
      status: 'FAILED',
      failure: { stage: 'request', code: 'NOTENOUGH', message: 'NOTENOUGH happened' },
      updatedAt: later,
      version: 2,
    });
  });

  it('given a failed refund, when a retry requests it again, then REQUESTED at the next attempt without the old failure', () => {
    const retriedAt = '2026-11-28T09:00:00.000Z';
    expect(
      foldRefundView([
        refundRequested(),
        refundFailed('request', 'NOTENOUGH'),
        refundRequested({ attempt: 2, requestedAt: retriedAt }),
      ]),
    ).toEqual({ ...requestedView, attempt: 2, updatedAt: retriedAt, version: 3 });
  });

  it('given a refund retried from the recharge funds, then the resource names the funds of the attempt at hand', () => {
    const unsettled = { refundAccount: 'REFUND_SOURCE_UNSETTLED_FUNDS' } as const;
    const recharge = { refundAccount: 'REFUND_SOURCE_RECHARGE_FUNDS' } as const;
    const failed = refundFailed('request', 'NOTENOUGH');
    expect(foldRefundView([refundRequested(unsettled)])).toMatchObject(unsettled);
    expect(
      foldRefundView([
        refundRequested(unsettled),
        failed,
        refundRequested({ attempt: 2, ...recharge }),
      ]),
    ).toMatchObject({ ...recharge, attempt: 2 });
    expect(
      foldRefundView([refundRequested(), failed, refundRequested({ attempt: 2 })]),
    ).not.toHaveProperty('refundAccount');
  });

  it('given a failed refund, when WeChat reports SUCCESS, then SUCCEEDED without the failure', () => {
    const view = foldRefundView([
      refundRequested(),
      refundFailed('request', 'NOTENOUGH'),
      refundSucceeded(),
    ]);
    expect(view).toMatchObject({ status: 'SUCCEEDED', version: 3 });
    expect(view).not.toHaveProperty('failure');
  });

  it('given nothing, when an event other than RefundRequested comes, then there is still no resource', () => {
    expect(evolveRefundView(null, refundAccepted())).toBeNull();
  });
});
