import { isFen } from '../money.js';
import type { RefundTerms } from './refundCommands.js';
import { RefundRuleViolation } from './refundRuleViolation.js';

/** The terms of a refund, without optional fields that are absent (exactOptionalPropertyTypes). */
export const refundTerms = (source: RefundTerms): RefundTerms => ({
  outRefundNo: source.outRefundNo,
  outTradeNo: source.outTradeNo,
  ...(source.transactionId !== undefined && { transactionId: source.transactionId }),
  totalFee: source.totalFee,
  refundFee: source.refundFee,
  ...(source.reason !== undefined && { reason: source.reason }),
});

/** Two requests are identical when every term is equal (DESIGN §5). */
export const sameTerms = (a: RefundTerms, b: RefundTerms): boolean =>
  a.outRefundNo === b.outRefundNo &&
  a.outTradeNo === b.outTradeNo &&
  a.transactionId === b.transactionId &&
  a.totalFee === b.totalFee &&
  a.refundFee === b.refundFee &&
  a.reason === b.reason;

export const assertValidTerms = (terms: RefundTerms): void => {
  if (!isFen(terms.totalFee) || !isFen(terms.refundFee)) {
    throw new RefundRuleViolation(
      'INVALID_REFUND_TERMS',
      'totalFee and refundFee must be positive integers in fen',
    );
  }
  if (terms.refundFee > terms.totalFee) {
    throw new RefundRuleViolation('INVALID_REFUND_TERMS', 'refundFee must not exceed totalFee');
  }
};
