import type { Fen } from '../domain/index.js';

export type NotifiedRefundStatus = 'SUCCESS' | 'CHANGE' | 'REFUNDCLOSE';

/** A decrypted, validated refund result notification (WeChat Pay v2 req_info). */
export type RefundNotification = {
  transactionId: string;
  outTradeNo: string;
  refundId: string;
  outRefundNo: string;
  totalFee: Fen;
  settlementTotalFee?: Fen;
  refundFee: Fen;
  settlementRefundFee: Fen;
  refundStatus: NotifiedRefundStatus;
  /** ISO 8601 with the +08:00 offset (WeChat reports China time); only when SUCCESS. */
  successTime?: string;
  /** WeChat spells the XML field refund_recv_accout. */
  refundRecvAccount: string;
  refundAccount: string;
  /** API, or VENDOR_PLATFORM for a refund made by hand on the merchant platform. */
  refundRequestSource: string;
};
