import { z } from 'zod';
import type {
  GatewayProblem,
  RefundOutcome,
  RefundQueryOutcome,
} from '../../../application/ports/refundGateway.js';
import type { ReportedOutcome } from '../../../application/refundReport.js';
import { maxFen } from '../../../domain/index.js';
import { describeIssues } from '../wechatFieldSchemas.js';
import { v3SettlementFailure } from './v3RefundReport.js';

/**
 * v3 amounts are JSON integers in fen, 32-bit as v2's (DESIGN §3): a larger one is no amount
 * WeChat sends, and no event could hold it. Ids stay strings.
 */
export const fen = z.number().int().positive().max(maxFen);
/** Settlement amounts exclude non-settled coupons: a refund paid by coupon settles 0. */
export const settlementFen = z.number().int().nonnegative().max(maxFen);
export const id = z.string().min(1).max(64);

/** The refund object of create and query answers (WECHAT-V3.md §2); unknown fields are kept out. */
export const v3RefundSchema = z.object({
  refund_id: id,
  out_refund_no: id,
  transaction_id: id,
  out_trade_no: id,
  user_received_account: z.string().optional(),
  success_time: z.iso.datetime({ offset: true }).optional(),
  status: z.enum(['SUCCESS', 'CLOSED', 'PROCESSING', 'ABNORMAL']),
  funds_account: z.string().optional(),
  amount: z.object({
    total: fen,
    refund: fen,
    payer_refund: settlementFen.optional(),
    settlement_refund: settlementFen.optional(),
  }),
});

export type V3Refund = z.infer<typeof v3RefundSchema>;

const invalid = (message: string): GatewayProblem => ({
  kind: 'retryable',
  code: 'INVALID_RESPONSE',
  message,
});

/** A verified 200 answer about our out_refund_no, or the problem that makes it no answer. */
export const v3RefundOf = (body: unknown, outRefundNo: string): V3Refund | GatewayProblem => {
  const parsed = v3RefundSchema.safeParse(body);
  if (!parsed.success) return invalid(describeIssues(parsed.error));
  if (parsed.data.out_refund_no !== outRefundNo) {
    return invalid('the answer is about another out_refund_no');
  }
  return parsed.data;
};

/** A 200 to POST /v3/refund/domestic/refunds: accepted, not refunded (WECHAT-V3.md §1). */
export const acceptedOf = (refund: V3Refund): Extract<RefundOutcome, { kind: 'accepted' }> => ({
  kind: 'accepted',
  refundId: refund.refund_id,
  transactionId: refund.transaction_id,
  refundFee: refund.amount.refund,
  ...(refund.amount.settlement_refund !== undefined && {
    settlementRefundFee: refund.amount.settlement_refund,
  }),
  ...(refund.amount.payer_refund !== undefined && { cashRefundFee: refund.amount.payer_refund }),
});

/** A 200 to GET /v3/refund/domestic/refunds/{out_refund_no}: what WeChat says of the refund. */
export const foundOf = (refund: V3Refund): Extract<RefundQueryOutcome, { kind: 'found' }> => {
  const settlementRefundFee = refund.amount.settlement_refund;
  const outcome: ReportedOutcome =
    refund.status === 'SUCCESS'
      ? {
          status: 'succeeded',
          settlementRefundFee: settlementRefundFee ?? refund.amount.refund,
          refundRecvAccount: refund.user_received_account ?? '',
          refundAccount: refund.funds_account ?? '',
          refundRequestSource: 'API',
          ...(refund.success_time !== undefined && { successTime: refund.success_time }),
        }
      : refund.status === 'PROCESSING'
        ? {
            status: 'processing',
            ...(settlementRefundFee !== undefined && { settlementRefundFee }),
          }
        : v3SettlementFailure(refund.status);
  return {
    kind: 'found',
    report: {
      outRefundNo: refund.out_refund_no,
      refundId: refund.refund_id,
      refundFee: refund.amount.refund,
      order: {
        outTradeNo: refund.out_trade_no,
        transactionId: refund.transaction_id,
        totalFee: refund.amount.total,
      },
      outcome,
    },
  };
};
