import type { EventStore, RecordedEvent } from '../application/ports/eventStore.js';
import { decodeRefundEvent, refundStreamName } from '../application/refundEventCodec.js';
import { foldRefundView, type RefundView } from './refundView.js';

/**
 * The refund resource, folded from its stream: always as fresh as the log, so a GET right after
 * a POST never misses the refund.
 */
export const loadRefundView =
  (events: EventStore) =>
  async (outRefundNo: string): Promise<RefundView | undefined> => {
    const stored = await events.readStream(refundStreamName(outRefundNo));
    return foldRefundView(stored.map((recorded) => decodeRefundEvent(recorded).event)) ?? undefined;
  };

/** The stream as stored, for auditors; undefined when the refund does not exist. */
export const loadRefundEvents =
  (events: EventStore) =>
  async (outRefundNo: string): Promise<{ stream: string; events: RecordedEvent[] } | undefined> => {
    const stream = refundStreamName(outRefundNo);
    const recorded = await events.readStream(stream);
    return recorded.length === 0 ? undefined : { stream, events: recorded };
  };
