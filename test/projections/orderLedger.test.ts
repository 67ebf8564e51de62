import { describe, expect, it } from 'vitest';
import type { RefundEvent } from '../../src/domain/index.js';
import { evolveOrderLedger, type OrderLedger } from '../../src/projections/orderLedger.js';
import {
  refundAccepted,
  refundFailed,
  refundRequested,
  refundSucceeded,
} from '../domain/refund/refundFixtures.js';

const fold = (events: RefundEvent[]) => events.reduce<OrderLedger | null>(evolveOrderLedger, null);

const second = refundRequested({ outRefundNo: 'R2', refundFee: 1000 });

describe('order ledger', () => {
  it('given no ledger, when RefundRequested, then the order with the refund pending', () => {
    expect(fold([refundRequested()])).toEqual({
      outTradeNo: 'T1',
      totalFee: 3960,
      refundedFee: 0,
      pendingFee: 1990,
      refunds: [{ outRefundNo: 'R1', status: 'REQUESTED', refundFee: 1990 }],
    });
  });

  it('given a requested refund, when RefundAccepted, then it is still pending, now ACCEPTED', () => {
    expect(fold([refundRequested(), refundAccepted()])).toMatchObject({
      refundedFee: 0,
      pendingFee: 1990,
      refunds: [{ outRefundNo: 'R1', status: 'ACCEPTED' }],
    });
  });

  it('given an accepted refund, when RefundSucceeded, then it moves from pending to refunded', () => {
    expect(fold([refundRequested(), refundAccepted(), refundSucceeded()])).toMatchObject({
      refundedFee: 1990,
      pendingFee: 0,
      refunds: [{ outRefundNo: 'R1', status: 'SUCCEEDED' }],
    });
  });

  it('given a requested refund, when RefundFailed, then it counts nowhere', () => {
    expect(fold([refundRequested(), refundFailed('request', 'NOTENOUGH')])).toMatchObject({
      refundedFee: 0,
      pendingFee: 0,
      refunds: [{ outRefundNo: 'R1', status: 'FAILED' }],
    });
  });

  it('given a failed refund, when it is retried (RefundRequested again), then it is pending again in its place', () => {
    const ledger = fold([
      refundRequested(),
      refundFailed('request', 'NOTENOUGH'),
      second,
      refundRequested({ attempt: 2 }),
    ]);
    expect(ledger).toMatchObject({
      pendingFee: 2990,
      refunds: [
        { outRefundNo: 'R1', status: 'REQUESTED', refundFee: 1990 },
        { outRefundNo: 'R2', status: 'REQUESTED', refundFee: 1000 },
      ],
    });
  });

  it('given failed refunds, then each says at which stage (only request-stage failures leave WeChat’s 50 a place); a retry clears it', () => {
    const failedAtRequest = [refundRequested(), refundFailed('request', 'NOTENOUGH')];
    expect(
      fold([
        ...failedAtRequest,
        second,
        refundFailed('settlement', 'REFUNDCLOSE', { outRefundNo: 'R2' }),
      ])?.refunds,
    ).toEqual([
      { outRefundNo: 'R1', status: 'FAILED', refundFee: 1990, stage: 'request' },
      { outRefundNo: 'R2', status: 'FAILED', refundFee: 1000, stage: 'settlement' },
    ]);
    expect(fold([...failedAtRequest, refundRequested({ attempt: 2 })])?.refunds).toEqual([
      { outRefundNo: 'R1', status: 'REQUESTED', refundFee: 1990 },
    ]);
  });

  it('given two refunds of one order, then the sums add up per status', () => {
    expect(fold([refundRequested(), second, refundSucceeded()])).toMatchObject({
      totalFee: 3960,
      refundedFee: 1990,
      pendingFee: 1000,
    });
  });

  it('given no ledger, when an event other than RefundRequested comes, then there is still none', () => {
    expect(evolveOrderLedger(null, refundAccepted())).toBeNull();
  });
});
