import {
  assertNever,
  refundTerms,
  type FailureStage,
  type RefundEvent,
  type RefundOrigin,
  type RefundStatus,
  type RefundTerms,
} from '../domain/index.js';

/**
 * The refund resource of DESIGN §5: the refund's terms and what became of them. Its
 * refundAccount is the current attempt's (a retry may name another).
 */
export type RefundView = RefundTerms & {
  status: RefundStatus;
  origin: RefundOrigin;
  refundId?: string;
  settlementRefundFee?: number;
  refundRecvAccount?: string;
  successTime?: string;
  failure?: { stage: FailureStage; code: string; message: string };
  attempt: number;
  /** When the refund was first requested. */
  requestedAt: string;
  updatedAt: string;
  /** Number of events in the refund's stream. */
  version: number;
};

/**
 * The refund resource after one more event; null stays null until the refund is requested.
 * Written with Object.assign rather than `{ ...view, field }`: Node 20's V8 adds each property a
 * spread copy lacks through a slow path (microseconds each), and the projections and the audit
 * fold every event through here. The fields keep their order either way.
 */
export const evolveRefundView = (
  view: RefundView | null,
  event: RefundEvent,
): RefundView | null => {
  if (event.type === 'RefundRequested') {
    const { data } = event;
    if (view) {
      // A retry: a new attempt of the same refund; the old failure no longer describes it, and
      // the funds account shown is the one this attempt draws from.
      const { failure: _previous, refundAccount: _previousAccount, ...rest } = view;
      const retried: RefundView = rest;
      if (data.refundAccount !== undefined) retried.refundAccount = data.refundAccount;
      return Object.assign(
        retried,
        { status: 'REQUESTED', attempt: data.attempt } as const,
        touched(view, data.requestedAt),
      );
    }
    return Object.assign(refundTerms(data), {
      status: 'REQUESTED',
      origin: data.origin,
      attempt: data.attempt,
      requestedAt: data.requestedAt,
      updatedAt: data.requestedAt,
      version: 1,
    } as const);
  }
  if (!view) return null;
  switch (event.type) {
    case 'RefundAccepted': {
      const { data } = event;
      const accepted: RefundView = Object.assign({}, view, {
        status: 'ACCEPTED',
        refundId: data.refundId,
      } as const);
      if (view.transactionId === undefined && data.transactionId !== undefined) {
        accepted.transactionId = data.transactionId;
      }
      if (data.settlementRefundFee !== undefined) {
        accepted.settlementRefundFee = data.settlementRefundFee;
      }
      return Object.assign(accepted, touched(view, data.acceptedAt));
    }
    case 'RefundSucceeded': {
      const { data } = event;
      const { failure: _overruled, ...rest } = view;
      return Object.assign(
        rest,
        {
          status: 'SUCCEEDED',
          refundId: data.refundId,
          settlementRefundFee: data.settlementRefundFee,
          refundRecvAccount: data.refundRecvAccount,
          successTime: data.successTime,
        } as const,
        touched(view, data.recordedAt),
      );
    }
    case 'RefundFailed': {
      const { stage, code, message, failedAt } = event.data;
      return Object.assign(
        {},
        view,
        { status: 'FAILED', failure: { stage, code, message } } as const,
        touched(view, failedAt),
      );
    }
    default:
      return assertNever(event);
  }
};

const touched = (view: RefundView, at: string) => ({ updatedAt: at, version: view.version + 1 });

export const foldRefundView = (events: readonly RefundEvent[]): RefundView | null =>
  events.reduce<RefundView | null>(evolveRefundView, null);
