import type { Fen } from '../money.js';
import type { FailureStage, RefundAcceptedData, RefundSucceededData } from './refundEvents.js';
import type { AttemptChoices, RefundTerms } from './refundTerms.js';

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
  /** What RefundAccepted records but the order's number, which the stream knows. */
  data: Omit<RefundAcceptedData, 'outTradeNo'>;
};

export type MarkRefundSucceeded = {
  type: 'MarkRefundSucceeded';
  /** What RefundSucceeded records but the order's number: the stream knows it, or `order` says. */
  data: Omit<RefundSucceededData, 'outTradeNo'> & {
    order?: NotifiedOrder;
    /**
     * When WeChat took a refund we never requested, if the report says (the bill's
     * 退款申请时间): the request of the stream it opens is dated then, not at recordedAt.
     */
    requestedAt?: string;
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
    /**
     * WeChat's refund_id and refund amount, when WeChat reports the failure at settlement: they
     * must be the refund's, as for a success.
     */
    refundId?: string;
    refundFee?: Fen;
    /** Only from a settlement report; see NotifiedOrder. */
    order?: NotifiedOrder;
  };
};

export type RetryRefund = {
  type: 'RetryRefund';
  data: AttemptChoices & {
    outRefundNo: string;
    requestedAt: string;
    /**
     * The failed attempt this retry follows, when the caller acts on that failure (the NOTENOUGH
     * policy): a refund already past it has been retried, and the retry is a no-op.
     */
    failedAttempt?: number;
  };
};

export type RefundCommand =
  RequestRefund | AcceptRefund | MarkRefundSucceeded | FailRefund | RetryRefund;
