import { assertNever, type RefundEvent } from '../../domain/index.js';

/** The event types of the feed and the webhooks (DESIGN §5), one per refund event type. */
export const outcomeEventTypes = [
  'refund.requested',
  'refund.accepted',
  'refund.succeeded',
  'refund.failed',
] as const;

export type OutcomeEventType = (typeof outcomeEventTypes)[number];

export const outcomeEventType = (type: RefundEvent['type']): OutcomeEventType => {
  switch (type) {
    case 'RefundRequested':
      return 'refund.requested';
    case 'RefundAccepted':
      return 'refund.accepted';
    case 'RefundSucceeded':
      return 'refund.succeeded';
    case 'RefundFailed':
      return 'refund.failed';
    default:
      return assertNever(type);
  }
};

/** The outcome type of a stored event's type; undefined for a type the refund category never holds. */
export const outcomeEventTypeOf = (storedType: string): OutcomeEventType | undefined => {
  switch (storedType) {
    case 'RefundRequested':
    case 'RefundAccepted':
    case 'RefundSucceeded':
    case 'RefundFailed':
      return outcomeEventType(storedType);
    default:
      return undefined;
  }
};
