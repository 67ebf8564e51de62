import type { RefundNotification } from '../../application/refundNotification.js';
import type { RefundReport, ReportedOutcome } from '../../application/refundReport.js';

/** The v2 refund_status words that fail a refund at settlement (WECHAT.md). */
export type V2SettlementFailure = 'REFUNDCLOSE' | 'CHANGE';

const failureMessages: Record<V2SettlementFailure, string> = {
  REFUNDCLOSE: 'WeChat Pay closed the refund (REFUNDCLOSE)',
  CHANGE: 'WeChat Pay reported the refund abnormal (CHANGE)',
};

/** REFUNDCLOSE and CHANGE fail the refund at settlement, with that literal status as the code. */
export const v2SettlementFailure = (status: V2SettlementFailure): ReportedOutcome => ({
  status: 'failed',
  code: status,
  message: failureMessages[status],
});

/** What a v2 refund result notification (decrypted req_info) reports. */
export const reportOfNotification = (n: RefundNotification): RefundReport => ({
  outRefundNo: n.outRefundNo,
  refundId: n.refundId,
  refundFee: n.refundFee,
  order: { outTradeNo: n.outTradeNo, transactionId: n.transactionId, totalFee: n.totalFee },
  outcome:
    n.refundStatus === 'SUCCESS'
      ? {
          status: 'succeeded',
          settlementRefundFee: n.settlementRefundFee,
          refundRecvAccount: n.refundRecvAccount,
          refundAccount: n.refundAccount,
          refundRequestSource: n.refundRequestSource,
          ...(n.successTime !== undefined && { successTime: n.successTime }),
        }
      : v2SettlementFailure(n.refundStatus),
});
