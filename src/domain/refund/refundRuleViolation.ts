/** Stable codes of broken refund rules; the HTTP layer maps each to a status in one place. */
export type RefundRuleCode =
  /** Same outRefundNo, different terms. */
  | 'REFUND_NO_CONFLICT'
  | 'REFUND_NOT_FOUND'
  /** A retry is only allowed after a request-stage failure. */
  | 'REFUND_NOT_RETRYABLE'
  /** Terms that can never be refunded (e.g. refundFee above totalFee). */
  | 'INVALID_REFUND_TERMS'
  /** A settlement outcome or acceptance that contradicts what is already recorded. */
  | 'REFUND_ALREADY_SUCCEEDED'
  | 'REFUND_ALREADY_FAILED'
  | 'REFUND_ALREADY_ACCEPTED'
  | 'REFUND_ID_MISMATCH'
  | 'REFUND_AMOUNT_MISMATCH';

export class RefundRuleViolation extends Error {
  override readonly name = 'RefundRuleViolation';

  constructor(
    readonly code: RefundRuleCode,
    message: string,
  ) {
    super(message);
  }
}
