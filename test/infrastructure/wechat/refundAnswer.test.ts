import { describe, expect, it } from 'vitest';
import { refundOutcomeOf } from '../../../src/infrastructure/wechat/refundAnswer.js';

const accepted = {
  return_code: 'SUCCESS',
  result_code: 'SUCCESS',
  out_refund_no: 'R1',
  refund_id: '50000408942018111907145868882',
  transaction_id: '4200000215201811190261405420',
  refund_fee: '3960',
  settlement_refund_fee: '0',
  cash_refund_fee: '3960',
};

describe('secapi/pay/refund answer', () => {
  it('given result_code SUCCESS, when read, then accepted, with a settlement of 0 kept', () => {
    expect(refundOutcomeOf(accepted, 'R1')).toEqual({
      kind: 'accepted',
      refundId: '50000408942018111907145868882',
      transactionId: '4200000215201811190261405420',
      refundFee: 3960,
      settlementRefundFee: 0,
      cashRefundFee: 3960,
    });
  });

  it('given an answer about another out_refund_no, when read, then it is not an answer', () => {
    expect(refundOutcomeOf(accepted, 'R2')).toMatchObject({
      kind: 'retryable',
      code: 'INVALID_RESPONSE',
    });
  });

  it.each(['../../x', '=HYPERLINK("http://x.example","y")', 'R'.repeat(65)])(
    'given an out_refund_no outside DESIGN §3 (%s), when read, then it is not an answer',
    (outRefundNo) => {
      expect(
        refundOutcomeOf({ ...accepted, out_refund_no: outRefundNo }, outRefundNo),
      ).toMatchObject({
        kind: 'retryable',
        code: 'INVALID_RESPONSE',
      });
    },
  );
});
