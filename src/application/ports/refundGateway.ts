import type { Fen, RefundTerms } from '../../domain/index.js';
import type { RefundReport } from '../refundReport.js';

/**
 * What the gateway reactor asks WeChat to refund: one attempt's terms (the refund's, with the
 * attempt's funds account), the same on every try of that attempt.
 */
export type GatewayRefundRequest = RefundTerms;

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

export type RefundQueryOutcome =
  /** WeChat has the refund: what it says of it, in the terms every API version reports in. */
  | { kind: 'found'; report: RefundReport }
  /** REFUNDNOTEXIST: WeChat has no refund with this out_refund_no. */
  | { kind: 'not_found' }
  | { kind: 'rejected'; code: string; message: string }
  | GatewayProblem;

/** The payment provider as the refund flow needs it: WeChat Pay, through its v2 or v3 API. */
export interface RefundGateway {
  refund(request: GatewayRefundRequest): Promise<RefundOutcome>;
  queryRefund(outRefundNo: string): Promise<RefundQueryOutcome>;
}
