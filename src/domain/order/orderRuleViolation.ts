/** A new refund that its order cannot take (DESIGN §5, the 422 answers). */
export type OrderRuleCode = 'TOTAL_FEE_MISMATCH' | 'REFUND_EXCEEDS_ORDER' | 'TOO_MANY_REFUNDS';

export class OrderRuleViolation extends Error {
  override readonly name = 'OrderRuleViolation';

  constructor(
    readonly code: OrderRuleCode,
    message: string,
  ) {
    super(message);
  }
}
