import type { Fen } from '../money.js';
import type { RefundTerms } from './refundTerms.js';

/** Who first asked for the refund: our API, or WeChat telling us of a refund made on the merchant platform. */
export type RefundOrigin = 'api' | 'wechat';

/** `request`: WeChat refused the refund request (code = err_code). `settlement`: it failed after acceptance (code = refund_status). */
export type FailureStage = 'request' | 'settlement';

export type RefundRequestedData = RefundTerms & {
  requestedAt: string;
  attempt: number;
  origin: RefundOrigin;
};

/*
 * RefundAccepted, RefundSucceeded and RefundFailed also carry the order's outTradeNo (an addition
 * to DESIGN §6): read models keyed by order can then be built from any event alone.
 */
export type RefundAcceptedData = {
  outRefundNo: string;
  outTradeNo: string;
  refundId: string;
  transactionId?: string;
  refundFee: Fen;
  /** Settlement amounts may be 0: a refund paid entirely by coupon settles nothing (DESIGN §3). */
  settlementRefundFee?: Fen;
  cashRefundFee?: Fen;
  acceptedAt: string;
};

export type RefundSucceededData = {
  outRefundNo: string;
  outTradeNo: string;
  refundId: string;
  refundFee: Fen;
  settlementRefundFee: Fen;
  refundRecvAccount: string;
  refundAccount: string;
  refundRequestSource: string;
  successTime: string;
  recordedAt: string;
};

export type RefundFailedData = {
  outRefundNo: string;
  outTradeNo: string;
  stage: FailureStage;
  code: string;
  message: string;
  failedAt: string;
  /** WeChat's refund_id, when the failure came from a settlement notification. */
  refundId?: string;
};

export type RefundRequested = { type: 'RefundRequested'; data: RefundRequestedData };
export type RefundAccepted = { type: 'RefundAccepted'; data: RefundAcceptedData };
export type RefundSucceeded = { type: 'RefundSucceeded'; data: RefundSucceededData };
export type RefundFailed = { type: 'RefundFailed'; data: RefundFailedData };

export type RefundEvent = RefundRequested | RefundAccepted | RefundSucceeded | RefundFailed;
