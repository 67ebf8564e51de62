import type { SandboxLedger } from './sandboxLedger.js';
import { v2RefundAccountOf } from './sandboxRefund.js';
import { resultFail } from './sandboxProtocol.js';

/**
 * The result fields of pay/refundquery: the order, then each refund n as out_refund_no_$n,
 * refund_status_$n, … (WECHAT.md "Refund query"). The key is the first present of refund_id,
 * out_refund_no, transaction_id, out_trade_no.
 */
export const answerRefundQuery = (
  fields: Readonly<Record<string, string>>,
  ledger: SandboxLedger,
): Record<string, string> => {
  const key = {
    ...(fields.refund_id && { refundId: fields.refund_id }),
    ...(fields.out_refund_no && { outRefundNo: fields.out_refund_no }),
    ...(fields.transaction_id && { transactionId: fields.transaction_id }),
    ...(fields.out_trade_no && { outTradeNo: fields.out_trade_no }),
  };
  if (Object.keys(key).length === 0) {
    return resultFail(
      'PARAM_ERROR',
      'refund_id, out_refund_no, transaction_id or out_trade_no is required',
    );
  }
  const [named = ''] = Object.values(key);
  if (!ledger.admitCall('query', named)) return resultFail('FREQUENCY_LIMITED', '频率限制');
  const refunds = ledger.query(key);
  const first = refunds[0];
  if (first === undefined) return resultFail('REFUNDNOTEXIST', '退款订单查询失败');
  const entries = refunds.flatMap((refund, n) =>
    Object.entries({
      out_refund_no: refund.outRefundNo,
      refund_id: refund.refundId,
      refund_channel: 'ORIGINAL',
      refund_fee: String(refund.refundFee),
      settlement_refund_fee: String(refund.refundFee),
      refund_status: refund.status,
      refund_account: v2RefundAccountOf(refund),
      refund_recv_accout: '支付用户零钱',
      ...(refund.successTime !== undefined && { refund_success_time: refund.successTime }),
    }).map(([name, value]) => [`${name}_${n}`, value] as const),
  );
  return {
    result_code: 'SUCCESS',
    transaction_id: first.transactionId,
    out_trade_no: first.outTradeNo,
    total_fee: String(first.totalFee),
    cash_fee: String(first.totalFee),
    refund_count: String(refunds.length),
    ...Object.fromEntries(entries),
  };
};
