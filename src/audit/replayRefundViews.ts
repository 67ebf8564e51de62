import type { EventStore } from '../application/ports/eventStore.js';
import { readCategoryUpTo } from '../application/readCategoryUpTo.js';
import { decodeRefundEvent, refundCategory } from '../application/refundEventCodec.js';
import type { RefundView } from '../projections/refundView.js';
import { refundViewProjection } from '../projections/refundViewProjection.js';
import { createReadModelReplay } from './readModelReplay.js';

/**
 * Every refund's final state, replayed from the log (up to its head when the replay starts) with
 * the refund view's own projection, in the order the refunds were first requested. Authoritative
 * where the read model may lag; throws CorruptEventError at an event it cannot read, because an
 * export with a refund silently missing or wrong is worse than none.
 */
export const replayRefundViews = async (
  events: EventStore,
  { pageSize = 1000 }: { pageSize?: number } = {},
): Promise<RefundView[]> => {
  const head = await events.headPosition(refundCategory);
  const replay = createReadModelReplay(refundViewProjection);
  for await (const page of readCategoryUpTo(events, refundCategory, { head, pageSize })) {
    for (const recorded of page) {
      const { streamName: stream, revision, position } = recorded;
      replay.apply(decodeRefundEvent(recorded).event, { stream, revision, position });
    }
  }
  return [...replay.documents.values()].map(({ document }) => document);
};
