import type { RefundTerms } from './refundCommands.js';
import type { FailureStage, RefundOrigin } from './refundEvents.js';

type Known = {
  terms: RefundTerms;
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

export type RefundStatus = Refund['status'];

export const initialRefund: Refund = { status: 'NONE' };
