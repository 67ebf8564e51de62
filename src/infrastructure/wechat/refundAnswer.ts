import { z } from 'zod';
import type { RefundOutcome } from '../../application/ports/refundGateway.js';
import { classifiedFailureOf } from './errCodeClassification.js';
import {
  describeIssues,
  fenField,
  idField,
  outRefundNoField,
  settlementFenField,
  withoutEmptyFields,
} from './wechatFieldSchemas.js';

const acceptedSchema = z.object({
  result_code: z.literal('SUCCESS'),
  out_refund_no: outRefundNoField,
  refund_id: idField,
  transaction_id: idField.optional(),
  refund_fee: fenField,
  settlement_refund_fee: settlementFenField.optional(),
  cash_refund_fee: settlementFenField.optional(),
});

/**
 * Reads a verified secapi/pay/refund answer. result_code SUCCESS means accepted, not refunded:
 * the result comes by notification or refundquery (WECHAT.md "Synchronous response").
 */
export const refundOutcomeOf = (
  answer: Readonly<Record<string, string>>,
  outRefundNo: string,
): RefundOutcome => {
  const fields = withoutEmptyFields(answer);
  const failure = classifiedFailureOf(fields);
  if (failure) return failure;
  const accepted = acceptedSchema.safeParse(fields);
  if (!accepted.success) {
    return {
      kind: 'retryable',
      code: 'INVALID_RESPONSE',
      message: describeIssues(accepted.error),
    };
  }
  const data = accepted.data;
  if (data.out_refund_no !== outRefundNo) {
    return {
      kind: 'retryable',
      code: 'INVALID_RESPONSE',
      message: 'the answer is about another out_refund_no',
    };
  }
  return {
    kind: 'accepted',
    refundId: data.refund_id,
    ...(data.transaction_id !== undefined && { transactionId: data.transaction_id }),
    refundFee: data.refund_fee,
    ...(data.settlement_refund_fee !== undefined && {
      settlementRefundFee: data.settlement_refund_fee,
    }),
    ...(data.cash_refund_fee !== undefined && { cashRefundFee: data.cash_refund_fee }),
  };
};
