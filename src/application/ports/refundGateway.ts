import type { Fen } from '../../domain/index.js';

/** What the gateway reactor asks WeChat to refund; the same terms on every try. */
export type GatewayRefundRequest = {
  outRefundNo: string;
  outTradeNo: string;
  transactionId?: string;
  totalFee: Fen;
  refundFee: Fen;
  reason?: string;
  /** The funds account to refund from (REFUND_SOURCE_RECHARGE_FUNDS, …); absent: WeChat's default. */
  refundAccount?: string;
};

/** An outcome that did not give an answer about the refund itself. */
export type GatewayProblem =
  /** Worth trying again later with the same parameters: SYSTEMERROR, timeouts, 5xx, a bad sign… */
  | { kind: 'retryable'; code: string; message: string }
  /** Our configuration is wrong (SIGNERROR, CERT_ERROR, NOAUTH, …): an operator must act. */
  | { kind: 'misconfigured'; code: string; message: string };

export type RefundOutcome =
  /** WeChat took the refund (result_code SUCCESS). The result comes later. */
  | {
      kind: 'accepted';
      refundId: string;
      transactionId?: string;
      refundFee: Fen;
      settlementRefundFee?: Fen;
      cashRefundFee?: Fen;
    }
  /** A definitive business refusal (e.g. NOTENOUGH, TRADE_OVERDUE): code is WeChat's err_code. */
  | { kind: 'rejected'; code: string; message: string }
  | GatewayProblem;

/** v2's refund_status, or v3's status (CLOSED and ABNORMAL are v2's REFUNDCLOSE and CHANGE). */
export type QueriedRefundStatus =
  'SUCCESS' | 'REFUNDCLOSE' | 'PROCESSING' | 'CHANGE' | 'CLOSED' | 'ABNORMAL';

export type RefundQueryOutcome =
  | {
      kind: 'found';
      outRefundNo: string;
      outTradeNo: string;
      transactionId: string;
      totalFee: Fen;
      refundId: string;
      refundFee: Fen;
      settlementRefundFee?: Fen;
      status: QueriedRefundStatus;
      refundRecvAccount?: string;
      refundAccount?: string;
      /** ISO 8601 with the +08:00 offset WeChat reports in; only when SUCCESS. */
      successTime?: string;
    }
  /** REFUNDNOTEXIST (v3: RESOURCE_NOT_EXISTS): WeChat has no refund with this out_refund_no. */
  | { kind: 'not_found' }
  | { kind: 'rejected'; code: string; message: string }
  | GatewayProblem;

/** The payment provider as the refund flow needs it: WeChat Pay, through its v2 or v3 API. */
export interface RefundGateway {
  refund(request: GatewayRefundRequest): Promise<RefundOutcome>;
  queryRefund(outRefundNo: string): Promise<RefundQueryOutcome>;
}
