import type { RefundTerms } from '../domain/index.js';

/** What makes two refund requests identical (DESIGN §5), as one comparable string. */
export const requestFingerprint = (terms: RefundTerms): string =>
  JSON.stringify([
    terms.outRefundNo,
    terms.outTradeNo,
    terms.transactionId ?? null,
    terms.totalFee,
    terms.refundFee,
    terms.reason ?? null,
  ]);
