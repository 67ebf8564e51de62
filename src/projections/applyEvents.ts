import type { DocumentCollection, DocumentWrite } from '../application/ports/documentStore.js';
import type { JsonObject, RecordedEvent } from '../application/ports/eventStore.js';
import { CorruptEventError, decodeOrCorrupt } from '../application/refundEventCodec.js';
import { inSlices } from '../application/yieldToEventLoop.js';
import type { Projection } from './projection.js';

/** Events folded between two turns of the event loop. */
const applySlice = 100;

/** An event of the page that does not decode: skipped, and reported to the caller. */
export type SkippedEvent = { recorded: RecordedEvent; error: CorruptEventError };

/**
 * Applies a page of events to a projection's documents. Each document is read once, folded over
 * its events of the page in memory, and the changed ones are written together. A document already
 * at or past an event's position has seen it: replays, and events applied again after a crash
 * before the checkpoint was saved, change nothing.
 *
 * An event that does not decode is skipped, so that it holds up no other refund; the document it
 * would have changed, where the projection can tell (projection.corruptedDocumentId), is removed
 * rather than left telling the refund's story without it. Returns the skipped events.
 */
export const applyEvents = async <D extends JsonObject>(
  projection: Projection<D>,
  documents: DocumentCollection<D>,
  page: readonly RecordedEvent[],
): Promise<SkippedEvent[]> => {
  const touched = new Map<
    string,
    { body: D | null; position: bigint; stored: boolean; changed: boolean }
  >();
  const skipped: SkippedEvent[] = [];
  const change = async (id: string, position: bigint, next: (body: D | null) => D | null) => {
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
    if (document.position >= position) return;
    document.body = next(document.body);
    document.position = position;
    document.changed = true;
  };
  // A page is read, decoded and folded in slices, requests answered in between; its writes
  // still go together, in one transaction.
  await inSlices(page, applySlice, async (recorded) => {
    const event = decodeOrCorrupt(recorded);
    if (event instanceof CorruptEventError) {
      skipped.push({ recorded, error: event });
      const id = projection.corruptedDocumentId?.(recorded.streamName);
      if (id !== undefined) await change(id, recorded.position, () => null);
      return;
    }
    const id = projection.documentId(event);
    if (id !== undefined) {
      await change(id, recorded.position, (body) => projection.evolve(body, event));
    }
  });
  const writes: DocumentWrite<D>[] = [];
  for (const [id, { body, position, stored, changed }] of touched) {
    // Nothing to delete where nothing was stored.
    if (changed && (body !== null || stored)) writes.push({ id, body, position });
  }
  if (writes.length > 0) await documents.writeMany(writes);
  return skipped;
};
