import type { RecordedEvent } from '../application/ports/eventStore.js';
import { CorruptEventError, refundStreamName } from '../application/refundEventCodec.js';
import {
  evolve,
  illegalTransition,
  initialRefund,
  refundTerms,
  type Refund,
  type RefundEvent,
  type RefundTerms,
} from '../domain/index.js';
import { isAmount, termChanges, withAgreedTerms, type TermChange } from './agreedTerms.js';
import type { Anomaly, EventRef } from './anomaly.js';

/** What the audit keeps of one refund between its events: a summary, never the events. */
export type RefundTrail = {
  /** The refund as the domain's evolve folds it. */
  state: Refund;
  /** The terms of the refund's first request; undefined until it is seen. */
  agreed: RefundTerms | undefined;
  /** Events seen, unreadable ones included: the revision the next event should have. */
  events: number;
  /** When the store recorded the last event: what staleness is measured from, as the reconciler does. */
  lastRecordedAt: string;
  /**
   * After an event that cannot be read, or a first event that is no request, the refund's state
   * is unknown: its later events are still folded, but not judged (no cascade of findings).
   */
  unjudged: boolean;
};

const describe = (changes: TermChange[]): string =>
  changes.map(({ field, agreed, stated }) => `${field} ${agreed} → ${stated}`).join(', ');

/** Judges one event of a refund's stream against what came before it. */
export const judgeRefundEvent = (
  trail: RefundTrail | undefined,
  recorded: RecordedEvent,
  decoded: RefundEvent | CorruptEventError,
  at: EventRef,
): { trail: RefundTrail; anomalies: Anomaly[] } => {
  const previous = trail ?? {
    state: initialRefund,
    agreed: undefined,
    events: 0,
    lastRecordedAt: recorded.recordedAt,
    unjudged: false,
  };
  const anomalies: Anomaly[] = [];
  const revision = Number(recorded.revision);
  if (revision !== previous.events) {
    anomalies.push({
      kind: 'REVISION_GAP',
      at,
      message: `revision ${revision} follows ${previous.events} events: the stream is not contiguous`,
    });
  }
  const seen = { events: revision + 1, lastRecordedAt: recorded.recordedAt };

  if (decoded instanceof CorruptEventError) {
    anomalies.push({
      kind: 'CORRUPT_EVENT',
      at,
      message: decoded.message,
      details: { type: recorded.type },
    });
    return { trail: { ...previous, ...seen, unjudged: true }, anomalies };
  }
  const event = decoded;
  if (refundStreamName(event.data.outRefundNo) !== recorded.streamName) {
    anomalies.push({
      kind: 'STREAM_MISMATCH',
      at,
      message: `${event.type} names refund ${event.data.outRefundNo}, not the stream's`,
    });
  }
  let unjudged = previous.unjudged;
  if (previous.events === 0 && event.type !== 'RefundRequested') {
    anomalies.push({
      kind: 'NOT_STARTED_BY_REQUEST',
      at,
      message: `the stream starts with ${event.type}, not RefundRequested`,
    });
    unjudged = true;
  }

  const { agreed } = previous;
  const changes = agreed ? termChanges(agreed, event) : [];
  const judged = agreed && changes.length > 0 ? withAgreedTerms(event, agreed) : event;
  if (!unjudged) {
    if (changes.length > 0) {
      anomalies.push({
        kind: changes.some(isAmount) ? 'AMOUNT_CHANGED' : 'TERMS_CHANGED',
        at,
        message: `${event.type} states ${describe(changes)} (first request's terms → this event's)`,
        details: { changes },
      });
    }
    const reason = illegalTransition(previous.state, judged);
    if (reason !== undefined) {
      anomalies.push({ kind: 'ILLEGAL_TRANSITION', at, message: `${event.type}: ${reason}` });
    }
  }
  return {
    trail: {
      state: evolve(previous.state, judged),
      agreed: agreed ?? (judged.type === 'RefundRequested' ? refundTerms(judged.data) : undefined),
      ...seen,
      unjudged,
    },
    anomalies,
  };
};
