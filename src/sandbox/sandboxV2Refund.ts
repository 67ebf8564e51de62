import type { SandboxRefund } from './sandboxRefund.js';
import { resultFail } from './sandboxProtocol.js';
import type { SandboxRefundFlow } from './sandboxRefundFlow.js';
import { parseSandboxRefundRequest } from './sandboxRefundRequest.js';

const acceptedFields = (refund: SandboxRefund): Record<string, string> => ({
  result_code: 'SUCCESS',
  transaction_id: refund.transactionId,
  out_trade_no: refund.outTradeNo,
  out_refund_no: refund.outRefundNo,
  refund_id: refund.refundId,
  refund_channel: 'ORIGINAL',
  refund_fee: String(refund.refundFee),
  settlement_refund_fee: String(refund.refundFee),
  total_fee: String(refund.totalFee),
  settlement_total_fee: String(refund.totalFee),
  fee_type: 'CNY',
  cash_fee: String(refund.totalFee),
  cash_refund_fee: String(refund.refundFee),
});

/** Result fields for a verified v2 secapi/pay/refund request. */
export const answerV2Refund = async (
  flow: SandboxRefundFlow,
  fields: Record<string, string>,
): Promise<Record<string, string>> => {
  const parsed = parseSandboxRefundRequest(fields);
  if (!parsed.ok) return resultFail('PARAM_ERROR', parsed.problem);
  const request = parsed.request;
  const answer = await flow.refund({
    outRefundNo: request.out_refund_no,
    ...(request.out_trade_no !== undefined && { outTradeNo: request.out_trade_no }),
    ...(request.transaction_id !== undefined && { transactionId: request.transaction_id }),
    totalFee: request.total_fee,
    refundFee: request.refund_fee,
    ...(request.refund_desc !== undefined && { description: request.refund_desc }),
    ...(request.refund_account !== undefined && { fundsAccount: request.refund_account }),
    ...(request.notify_url !== undefined && { notifyUrl: request.notify_url }),
    api: 'v2',
  });
  return answer.kind === 'accepted'
    ? acceptedFields(answer.refund)
    : resultFail(answer.errCode, answer.errCodeDes);
};
