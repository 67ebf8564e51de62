import { describe, expect, it } from 'vitest';
import { refundQueryOutcomeOf } from '../../../src/infrastructure/wechat/refundQueryAnswer.js';

const order = {
  return_code: 'SUCCESS',
  result_code: 'SUCCESS',
  transaction_id: '4200000215201811190261405420',
  out_trade_no: 'T1',
  total_fee: '3960',
  refund_count: '2',
};

const refund = (n: number, outRefundNo: string, status: string): Record<string, string> => ({
  [`out_refund_no_${n}`]: outRefundNo,
  [`refund_id_${n}`]: `5000040894201811190714586888${n}`,
  [`refund_fee_${n}`]: '1000',
  [`settlement_refund_fee_${n}`]: '1000',
  [`refund_status_${n}`]: status,
  [`refund_recv_accout_${n}`]: '支付用户零钱',
  [`refund_account_${n}`]: 'REFUND_SOURCE_UNSETTLED_FUNDS',
  [`coupon_refund_fee_${n}_1`]: '1',
});

describe('refundquery answer', () => {
  it('given several refunds, when reading one out_refund_no, then its own _$n fields are used', () => {
    const answer = {
      ...order,
      ...refund(0, 'R0', 'PROCESSING'),
      ...refund(1, 'R1', 'SUCCESS'),
      refund_success_time_1: '2018-11-19 16:24:13',
    };
    expect(refundQueryOutcomeOf(answer, 'R1')).toEqual({
      kind: 'found',
      report: {
        outRefundNo: 'R1',
        refundId: '50000408942018111907145868881',
        refundFee: 1000,
        order: {
          outTradeNo: 'T1',
          transactionId: '4200000215201811190261405420',
          totalFee: 3960,
        },
        outcome: {
          status: 'succeeded',
          settlementRefundFee: 1000,
          refundRecvAccount: '支付用户零钱',
          refundAccount: 'REFUND_SOURCE_UNSETTLED_FUNDS',
          refundRequestSource: 'API',
          successTime: '2018-11-19T16:24:13+08:00',
        },
      },
    });
    expect(refundQueryOutcomeOf(answer, 'R0')).toMatchObject({
      kind: 'found',
      report: { outcome: { status: 'processing', settlementRefundFee: 1000 } },
    });
  });

  it.each(['REFUNDCLOSE', 'CHANGE'])(
    'given %s, when read, then a failure at settlement with that status as the code',
    (status) => {
      const answer = { ...order, ...refund(0, 'R1', status) };
      expect(refundQueryOutcomeOf(answer, 'R1')).toMatchObject({
        kind: 'found',
        report: { refundFee: 1000, outcome: { status: 'failed', code: status } },
      });
    },
  );

  it('given a settlement amount of 0 (paid by coupon), when read, then it is 0', () => {
    const answer = { ...order, ...refund(0, 'R1', 'SUCCESS'), settlement_refund_fee_0: '0' };
    expect(refundQueryOutcomeOf(answer, 'R1')).toMatchObject({
      report: { outcome: { status: 'succeeded', settlementRefundFee: 0 } },
    });
  });

  it('given REFUNDNOTEXIST, when read, then not_found', () => {
    const answer = { return_code: 'SUCCESS', result_code: 'FAIL', err_code: 'REFUNDNOTEXIST' };
    expect(refundQueryOutcomeOf(answer, 'R1')).toEqual({ kind: 'not_found' });
  });

  it('given SYSTEMERROR, when read, then retryable', () => {
    const answer = { result_code: 'FAIL', err_code: 'SYSTEMERROR', err_code_des: '系统超时' };
    expect(refundQueryOutcomeOf(answer, 'R1')).toEqual({
      kind: 'retryable',
      code: 'SYSTEMERROR',
      message: '系统超时',
    });
  });

  it('given an answer without our out_refund_no, when read, then retryable, never a guess', () => {
    const answer = { ...order, ...refund(0, 'R0', 'SUCCESS') };
    expect(refundQueryOutcomeOf(answer, 'R1')).toMatchObject({
      kind: 'retryable',
      code: 'INVALID_RESPONSE',
    });
  });

  it('given an invalid amount, when read, then retryable', () => {
    const answer = { ...order, ...refund(0, 'R1', 'SUCCESS'), refund_fee_0: '10.00' };
    expect(refundQueryOutcomeOf(answer, 'R1')).toMatchObject({
      kind: 'retryable',
      code: 'INVALID_RESPONSE',
    });
  });

  it.each([
    ['an out_trade_no', { out_trade_no: '=HYPERLINK("http://x.example","y")' }, 'R1'],
    ['our out_refund_no', refund(0, '../../x', 'SUCCESS'), '../../x'],
  ])(
    'given %s outside the characters of DESIGN §3, when read, then it is not an answer',
    (_, fields, outRefundNo) => {
      const answer = { ...order, ...refund(0, 'R1', 'SUCCESS'), ...fields };
      expect(refundQueryOutcomeOf(answer, outRefundNo)).toMatchObject({
        kind: 'retryable',
        code: 'INVALID_RESPONSE',
      });
    },
  );
});
