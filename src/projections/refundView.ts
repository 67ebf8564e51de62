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

/** The refund resource after one more event; null stays null until the refund is requested. */
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
      return {
        ...rest,
        ...(data.refundAccount !== undefined && { refundAccount: data.refundAccount }),
        status: 'REQUESTED',
        attempt: data.attempt,
        ...touched(view, data.requestedAt),
      };
    }
    return {
      ...refundTerms(data),
      status: 'REQUESTED',
      origin: data.origin,
      attempt: data.attempt,
      requestedAt: data.requestedAt,
      updatedAt: data.requestedAt,
      version: 1,
    };
  }
  if (!view) return null;
  switch (event.type) {
    case 'RefundAccepted': {
      const { data } = event;
      return {
        ...view,
        status: 'ACCEPTED',
        refundId: data.refundId,
        ...(view.transactionId === undefined &&
          data.transactionId !== undefined && { transactionId: data.transactionId }),
        ...(data.settlementRefundFee !== undefined && {
          settlementRefundFee: data.settlementRefundFee,
        }),
        ...touched(view, data.acceptedAt),
      };
    }
    case 'RefundSucceeded': {
      const { data } = event;
      const { failure: _overruled, ...rest } = view;
      return {
        ...rest,
        status: 'SUCCEEDED',
        refundId: data.refundId,
        settlementRefundFee: data.settlementRefundFee,
        refundRecvAccount: data.refundRecvAccount,
        successTime: data.successTime,
        ...touched(view, data.recordedAt),
      };
    }
    case 'RefundFailed': {
      const { stage, code, message, failedAt } = event.data;
      return {
        ...view,
        status: 'FAILED',
        failure: { stage, code, message },
        ...touched(view, failedAt),
      };
    }
    default:
      return assertNever(event);
  }
};

const touched = (view: RefundView, at: string) => ({ updatedAt: at, version: view.version + 1 });

export const foldRefundView = (events: readonly RefundEvent[]): RefundView | null =>
  events.reduce<RefundView | null>(evolveRefundView, null);
