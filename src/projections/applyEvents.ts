import type { DocumentCollection, DocumentWrite } from '../application/ports/documentStore.js';
import type { JsonObject, RecordedEvent } from '../application/ports/eventStore.js';
import { decodeRefundEvent } from '../application/refundEventCodec.js';
import type { Projection } from './projection.js';

/**
 * Applies a page of events to a projection's documents. Each document is read once, folded over
 * its events of the page in memory, and the changed ones are written together. A document already
 * at or past an event's position has seen it: replays, and events applied again after a crash
 * before the checkpoint was saved, change nothing.
 */
export const applyEvents = async <D extends JsonObject>(
  projection: Projection<D>,
  documents: DocumentCollection<D>,
  page: readonly RecordedEvent[],
): Promise<void> => {
  const touched = new Map<
    string,
    { body: D | null; position: bigint; stored: boolean; changed: boolean }
  >();
  for (const recorded of page) {
    const { event } = decodeRefundEvent(recorded);
    const id = projection.documentId(event);
    if (id === undefined) continue;
    let document = touched.get(id);
    if (!document) {
      const current = await documents.getWithPosition(id);
      document = {
        body: current?.body ?? null,
        position: current?.position ?? -1n,
        stored: current?.body !== undefined,
        changed: false,
      };
      touched.set(id, document);
    }
    if (document.position >= recorded.position) continue;
    document.body = projection.evolve(document.body, event);
    document.position = recorded.position;
    document.changed = true;
  }
  const writes: DocumentWrite<D>[] = [];
  for (const [id, { body, position, stored, changed }] of touched) {
    // Nothing to delete where nothing was stored.
    if (changed && (body !== null || stored)) writes.push({ id, body, position });
  }
  if (writes.length > 0) await documents.writeMany(writes);
};
