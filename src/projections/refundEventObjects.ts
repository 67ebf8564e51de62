import type { EventStore, RecordedEvent } from '../application/ports/eventStore.js';
import { decodeRefundEvent } from '../application/refundEventCodec.js';
import type { RefundEvent } from '../domain/refund/refundEvents.js';
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
 * versions can order what it hears. Each stream is read once per call, and not at all for a
 * stream's first event. With `cachedStreams`, the latest view of that many streams is kept
 * between calls (the one kept longest ago goes first): an event right after one already seen
 * is folded onto it, so a consumer near the head of the log (the webhook fan-out) reads no
 * stream at all. A view at a revision never changes, so a cached one is never stale.
 */
export const refundEventObjects = (
  events: EventStore,
  { cachedStreams = 0 }: { cachedStreams?: number } = {},
) => {
  const latest = new Map<string, { revision: bigint; view: RefundView }>();
  const remember = (streamName: string, revision: bigint, view: RefundView) => {
    if (cachedStreams === 0) return;
    const known = latest.get(streamName);
    if (known && known.revision >= revision) return;
    latest.delete(streamName);
    latest.set(streamName, { revision, view });
    for (const oldest of latest.keys()) {
      if (latest.size <= cachedStreams) break;
      latest.delete(oldest);
    }
  };

  return async (recorded: readonly RecordedEvent[]): Promise<RefundEventObject[]> => {
    const read = new Map<string, Map<bigint, RefundView>>();
    const readStream = async (streamName: string) => {
      let byRevision = read.get(streamName);
      if (!byRevision) {
        byRevision = new Map();
        let view: RefundView | null = null;
        for (const stored of await events.readStream(streamName)) {
          view = evolveRefundView(view, decodeRefundEvent(stored).event);
          if (view) byRevision.set(stored.revision, view);
        }
        read.set(streamName, byRevision);
      }
      return byRevision;
    };
    const viewAt = async (one: RecordedEvent, event: RefundEvent) => {
      const before =
        one.revision === 0n ? { revision: -1n, view: null } : latest.get(one.streamName);
      const folded =
        before && before.revision === one.revision - 1n
          ? evolveRefundView(before.view, event)
          : (await readStream(one.streamName)).get(one.revision);
      if (folded) remember(one.streamName, one.revision, folded);
      return folded;
    };
    const objects: RefundEventObject[] = [];
    for (const one of recorded) {
      const { event } = decodeRefundEvent(one);
      const object = await viewAt(one, event);
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
};
