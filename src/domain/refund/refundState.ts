import type { RefundTerms } from './refundTerms.js';
import type { FailureStage, RefundOrigin } from './refundEvents.js';

type Known = {
  /** The terms of the first request: what "identical" compares and every retry restates. */
  terms: RefundTerms;
  /** What the current attempt asks WeChat for: the terms with the attempt's own funds account. */
  attemptTerms: RefundTerms;
  origin: RefundOrigin;
  /** 1 for the first request, n+1 after each retry. */
  attempt: number;
};

export type Refund =
  | { status: 'NONE' }
  | (Known & { status: 'REQUESTED'; refundId?: string })
  | (Known & { status: 'ACCEPTED'; refundId: string })
  | (Known & { status: 'SUCCEEDED'; refundId: string })
  | (Known & { status: 'FAILED'; stage: FailureStage; code: string; refundId?: string });

/**
 * The statuses of a refund that exists (DESIGN §5), in the order a refund reaches them: the one
 * list the read models, their schemas and the audit's counts take theirs from.
 */
export const refundStatuses = [
  'REQUESTED',
  'ACCEPTED',
  'SUCCEEDED',
  'FAILED',
] as const satisfies readonly Exclude<Refund['status'], 'NONE'>[];

export type RefundStatus = (typeof refundStatuses)[number];

export const initialRefund: Refund = { status: 'NONE' };
