import { isFen, type Fen } from '../money.js';
import type { RefundAccount } from './refundAccount.js';
import { RefundRuleViolation } from './refundRuleViolation.js';

/**
 * The terms of a refund, term by term: what the merchant agreed to refund, fixed by the first
 * request and restated by every retry. The one definition: the RefundTerms type, "identical
 * request" (DESIGN §5), the event and view schemas, the gateway's request and the audit's term
 * checks all derive from it, so a new term is one line here. A trailing `?`: the term may be
 * absent. (The idempotency guard stores requestFingerprint: a new term changes every
 * fingerprint, so bump that projection's version with it.)
 */
export const refundTermKinds = {
  outRefundNo: 'text',
  outTradeNo: 'text',
  transactionId: 'text?',
  totalFee: 'fen',
  refundFee: 'fen',
  reason: 'text?',
  refundAccount: 'account?',
} as const;

export type RefundTermField = keyof typeof refundTermKinds;

type Kinds = typeof refundTermKinds;
type ValueOf = { text: string; 'text?': string; fen: Fen; 'account?': RefundAccount };
type OptionalTerm = {
  [F in RefundTermField]: Kinds[F] extends `${string}?` ? F : never;
}[RefundTermField];
type Flat<T> = { [K in keyof T]: T[K] };

/** What the merchant agreed to refund. Fixed by the first request: every retry reuses it. */
export type RefundTerms = Flat<
  { [F in Exclude<RefundTermField, OptionalTerm>]: ValueOf[Kinds[F]] } & {
    [F in OptionalTerm]?: ValueOf[Kinds[F]];
  }
>;

/** The terms in their fixed order. (Object.keys types its answer as string[].) */
export const refundTermFields = Object.keys(refundTermKinds) as readonly RefundTermField[];

/** Each term from the source `from` names for it, without absent optional ones. */
const termsFrom = (from: (field: RefundTermField) => RefundTerms): RefundTerms => {
  const terms: Partial<Record<RefundTermField, string | number>> = {};
  for (const field of refundTermFields) {
    const value = from(field)[field];
    if (value !== undefined) terms[field] = value;
  }
  // Every required term was copied from a RefundTerms.
  return terms as RefundTerms;
};

/** The terms of anything that states them, without other fields or absent optional ones. */
export const refundTerms = (source: RefundTerms): RefundTerms => termsFrom(() => source);

/**
 * What makes two refund requests identical (DESIGN §5): every term equal, absent ones as null,
 * as one comparable string.
 */
export const requestFingerprint = (terms: RefundTerms): string =>
  JSON.stringify(refundTermFields.map((field) => terms[field] ?? null));

export const sameTerms = (a: RefundTerms, b: RefundTerms): boolean =>
  requestFingerprint(a) === requestFingerprint(b);

/**
 * The terms a retry may state otherwise, for its own attempt only (DESIGN §2: a retry may draw
 * from another funds account). "Identical" (sameTerms) still compares the first request's.
 */
export const attemptTermFields = ['refundAccount'] as const satisfies readonly RefundTermField[];

export type AttemptChoices = Partial<Pick<RefundTerms, (typeof attemptTermFields)[number]>>;

const isAttemptTerm = (field: RefundTermField): boolean =>
  (attemptTermFields as readonly RefundTermField[]).includes(field);

/** The terms every attempt must restate: all but those a retry may choose for itself. */
export const agreedTermFields: readonly RefundTermField[] = refundTermFields.filter(
  (field) => !isAttemptTerm(field),
);

/** Whether a retry keeps the refund's terms (it may still choose its own attempt terms). */
export const sameAgreedTerms = (agreed: RefundTerms, attempt: RefundTerms): boolean =>
  agreedTermFields.every((field) => agreed[field] === attempt[field]);

/**
 * What one attempt asks WeChat for: the refund's terms, with the attempt's own choices where it
 * makes any (a retry that names no account draws from the refund's).
 */
export const attemptTerms = (agreed: RefundTerms, choices: AttemptChoices): RefundTerms =>
  refundTerms({ ...agreed, ...choices });

/** The agreed terms, with the attempt terms exactly as an attempt stated them (absent: absent). */
export const restatedTerms = (agreed: RefundTerms, attempt: RefundTerms): RefundTerms =>
  termsFrom((field) => (isAttemptTerm(field) ? attempt : agreed));

/** The same outRefundNo asked for with different terms (DESIGN §5: 409 REFUND_NO_CONFLICT). */
export const refundNoConflict = (outRefundNo: string): RefundRuleViolation =>
  new RefundRuleViolation(
    'REFUND_NO_CONFLICT',
    `refund ${outRefundNo} was already requested with different terms`,
  );

export const assertValidTerms = (terms: RefundTerms): void => {
  if (!isFen(terms.totalFee) || !isFen(terms.refundFee)) {
    throw new RefundRuleViolation(
      'INVALID_REFUND_TERMS',
      'totalFee and refundFee must be integers in fen from 1 to 2,147,483,647',
    );
  }
  if (terms.refundFee > terms.totalFee) {
    throw new RefundRuleViolation('INVALID_REFUND_TERMS', 'refundFee must not exceed totalFee');
  }
};
