import type { DocumentCollection } from '../application/ports/documentStore.js';
import type { JsonObject, RecordedEvent } from '../application/ports/eventStore.js';
import { decodeRefundEvent } from '../application/refundEventCodec.js';
import type { Projection } from './projection.js';

/**
 * Applies events to a projection's documents. A document already at or past an event's position
 * has seen it: replays, and events applied again after a crash before the checkpoint was saved,
 * change nothing.
 */
export const applyEvents = async <D extends JsonObject>(
  projection: Projection<D>,
  documents: DocumentCollection<D>,
  page: readonly RecordedEvent[],
): Promise<void> => {
  for (const recorded of page) {
    const { event } = decodeRefundEvent(recorded);
    const id = projection.documentId(event);
    if (id === undefined) continue;
    const current = await documents.getWithPosition(id);
    if (current && current.position >= recorded.position) continue;
    const next = projection.evolve(current?.body ?? null, event);
    if (next) await documents.put(id, next, recorded.position);
    else if (current?.body) await documents.delete(id, recorded.position);
  }
};
