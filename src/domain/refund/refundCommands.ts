import type { Fen } from '../money.js';
import type { FailureStage } from './refundEvents.js';

/** What the merchant agreed to refund. Fixed by the first request: every retry reuses it. */
export type RefundTerms = {
  outRefundNo: string;
  outTradeNo: string;
  transactionId?: string;
  totalFee: Fen;
  refundFee: Fen;
  reason?: string;
};

/**
 * The order as WeChat describes it in a notification. With it, a notification for a refund
 * we never requested (made by hand on the merchant platform) can still open the refund's stream.
 */
export type NotifiedOrder = {
  outTradeNo: string;
  transactionId: string;
  totalFee: Fen;
};

export type RequestRefund = {
  type: 'RequestRefund';
  data: RefundTerms & { requestedAt: string };
};

export type AcceptRefund = {
  type: 'AcceptRefund';
  data: {
    outRefundNo: string;
    refundId: string;
    transactionId?: string;
    refundFee: Fen;
    settlementRefundFee?: Fen;
    cashRefundFee?: Fen;
    acceptedAt: string;
  };
};

export type MarkRefundSucceeded = {
  type: 'MarkRefundSucceeded';
  data: {
    outRefundNo: string;
    refundId: string;
    refundFee: Fen;
    settlementRefundFee: Fen;
    refundRecvAccount: string;
    refundAccount: string;
    refundRequestSource: string;
    successTime: string;
    recordedAt: string;
    order?: NotifiedOrder;
  };
};

export type FailRefund = {
  type: 'FailRefund';
  data: {
    outRefundNo: string;
    stage: FailureStage;
    code: string;
    message: string;
    failedAt: string;
    /** WeChat's refund_id, known when a settlement notification reports the failure. */
    refundId?: string;
    /** Only from a settlement notification; see NotifiedOrder. */
    order?: NotifiedOrder & { refundFee: Fen };
  };
};

export type RetryRefund = {
  type: 'RetryRefund';
  data: { outRefundNo: string; requestedAt: string };
};

export type RefundCommand =
  RequestRefund | AcceptRefund | MarkRefundSucceeded | FailRefund | RetryRefund;
