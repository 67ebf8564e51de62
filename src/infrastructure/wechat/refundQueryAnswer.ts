import { z } from 'zod';
import type { RefundQueryOutcome } from '../../application/ports/refundGateway.js';
import type { ReportedOutcome } from '../../application/refundReport.js';
import { classifiedFailureOf } from './errCodeClassification.js';
import { v2SettlementFailure } from './v2RefundReport.js';
import {
  chinaTimeField,
  describeIssues,
  fenField,
  idField,
  outRefundNoField,
  outTradeNoField,
  settlementFenField,
  withoutEmptyFields,
} from './wechatFieldSchemas.js';

const orderSchema = z.object({
  result_code: z.literal('SUCCESS'),
  transaction_id: idField,
  out_trade_no: outTradeNoField,
  total_fee: fenField,
});

// One refund of the answer, after its `_$n` suffix is removed.
const entrySchema = z.object({
  out_refund_no: outRefundNoField,
  refund_id: idField,
  refund_fee: fenField,
  settlement_refund_fee: settlementFenField.optional(),
  refund_status: z.enum(['SUCCESS', 'REFUNDCLOSE', 'PROCESSING', 'CHANGE']),
  refund_account: z.string().optional(),
  refund_recv_accout: z.string().optional(),
  refund_success_time: chinaTimeField.optional(),
});

/** The fields of refund n: `refund_status_0` → `refund_status`, and so on. */
const entryFields = (fields: Record<string, string>, n: string): Record<string, string> => {
  const suffix = `_${n}`;
  return Object.fromEntries(
    Object.entries(fields)
      // coupon_refund_fee_$n_$m belongs to coupon m of refund n, not to refund m.
      .filter(([name]) => name.endsWith(suffix) && !/_\d+$/.test(name.slice(0, -suffix.length)))
      .map(([name, value]) => [name.slice(0, -suffix.length), value]),
  );
};

/**
 * Reads a verified pay/refundquery answer for one out_refund_no. The answer lists the refunds as
 * out_refund_no_$n, refund_status_$n, …; the one whose out_refund_no_$n is ours is reported.
 */
export const refundQueryOutcomeOf = (
  answer: Readonly<Record<string, string>>,
  outRefundNo: string,
): RefundQueryOutcome => {
  const fields = withoutEmptyFields(answer);
  const failure = classifiedFailureOf(fields);
  if (failure) return failure.code === 'REFUNDNOTEXIST' ? { kind: 'not_found' } : failure;
  const order = orderSchema.safeParse(fields);
  if (!order.success) {
    return { kind: 'retryable', code: 'INVALID_RESPONSE', message: describeIssues(order.error) };
  }
  const n = Object.entries(fields).find(
    ([name, value]) => /^out_refund_no_\d+$/.test(name) && value === outRefundNo,
  )?.[0];
  if (n === undefined) {
    return {
      kind: 'retryable',
      code: 'INVALID_RESPONSE',
      message: 'the answer does not list the queried out_refund_no',
    };
  }
  const entry = entrySchema.safeParse(entryFields(fields, n.slice('out_refund_no_'.length)));
  if (!entry.success) {
    return { kind: 'retryable', code: 'INVALID_RESPONSE', message: describeIssues(entry.error) };
  }
  const refund = entry.data;
  return {
    kind: 'found',
    report: {
      outRefundNo: refund.out_refund_no,
      refundId: refund.refund_id,
      refundFee: refund.refund_fee,
      order: {
        outTradeNo: order.data.out_trade_no,
        transactionId: order.data.transaction_id,
        totalFee: order.data.total_fee,
      },
      outcome: outcomeOf(refund),
    },
  };
};

/** What refund_status_$n says; a query answer leaves out some of what a notification states. */
const outcomeOf = (refund: z.infer<typeof entrySchema>): ReportedOutcome => {
  const settlementRefundFee = refund.settlement_refund_fee;
  switch (refund.refund_status) {
    case 'SUCCESS':
      return {
        status: 'succeeded',
        settlementRefundFee: settlementRefundFee ?? refund.refund_fee,
        refundRecvAccount: refund.refund_recv_accout ?? '',
        refundAccount: refund.refund_account ?? '',
        // The answer does not say; the reconciler only asks about the refunds it sent.
        refundRequestSource: 'API',
        ...(refund.refund_success_time !== undefined && {
          successTime: refund.refund_success_time,
        }),
      };
    case 'REFUNDCLOSE':
    case 'CHANGE':
      return v2SettlementFailure(refund.refund_status);
    case 'PROCESSING':
      return {
        status: 'processing',
        ...(settlementRefundFee !== undefined && { settlementRefundFee }),
      };
  }
};
