import type { EventStore, RecordedEvent } from '../application/ports/eventStore.js';
import { decodeRefundEvent } from '../application/refundEventCodec.js';
import {
  outcomeEventType,
  type OutcomeEventType,
} from '../application/webhooks/refundEventTypes.js';
import { evolveRefundView, type RefundView } from './refundView.js';

/** The event object of the feed and of every webhook (DESIGN §5). */
export type RefundEventObject = {
  /** The stored event's id: the same in the feed, in every attempt and every re-delivery. */
  id: string;
  type: OutcomeEventType;
  createdAt: string;
  data: { object: RefundView };
};

/**
 * The event objects of recorded refund events: each carries the refund resource right after its
 * event (the stream folded up to that revision, version included), so a receiver that compares
 * versions can order what it hears. Each stream is read once per call.
 */
export const refundEventObjects =
  (events: EventStore) =>
  async (recorded: readonly RecordedEvent[]): Promise<RefundEventObject[]> => {
    const views = new Map<string, Map<bigint, RefundView>>();
    const viewsOf = async (streamName: string) => {
      let byRevision = views.get(streamName);
      if (!byRevision) {
        byRevision = new Map();
        let view: RefundView | null = null;
        for (const stored of await events.readStream(streamName)) {
          view = evolveRefundView(view, decodeRefundEvent(stored).event);
          if (view) byRevision.set(stored.revision, view);
        }
        views.set(streamName, byRevision);
      }
      return byRevision;
    };
    const objects: RefundEventObject[] = [];
    for (const one of recorded) {
      const { event } = decodeRefundEvent(one);
      const object = (await viewsOf(one.streamName)).get(one.revision);
      if (!object) throw new Error(`no refund in ${one.streamName} at revision ${one.revision}`);
      objects.push({
        id: one.id,
        type: outcomeEventType(event.type),
        createdAt: one.recordedAt,
        data: { object },
      });
    }
    return objects;
  };
