import type { JsonObject } from '../application/ports/eventStore.js';
import type { RefundEvent } from '../domain/index.js';
import type { Projection } from '../projections/projection.js';
import type { EventRef } from './anomaly.js';

/**
 * A document as the replay produces it, with the event that last shaped it, and the position
 * since which it exists (where a document missing from the read model stands in the report).
 */
export type ExpectedDocument<D extends JsonObject> = { document: D; at: EventRef; since: bigint };

export type ReadModelReplay<D extends JsonObject> = {
  name: string;
  /** By document id: what the read model should hold for the events replayed so far. */
  documents: Map<string, ExpectedDocument<D>>;
  apply: (event: RefundEvent, at: EventRef) => void;
  /** An event of the stream that does not decode: as the runner skips it (applyEvents). */
  skip: (streamName: string) => void;
};

/**
 * A read model rebuilt in memory with the projection's own documentId and evolve, event by event
 * in log order, as applyEvents does it in the store (in log order its position guard never skips).
 * Only the documents `owns` accepts: the others are another replay's.
 */
export const createReadModelReplay = <D extends JsonObject>(
  projection: Projection<D>,
  owns: (id: string) => boolean = () => true,
): ReadModelReplay<D> => {
  const documents = new Map<string, ExpectedDocument<D>>();
  return {
    name: projection.name,
    documents,
    apply: (event, at) => {
      const id = projection.documentId(event);
      if (id === undefined || !owns(id)) return;
      const before = documents.get(id);
      const next = projection.evolve(before?.document ?? null, event);
      if (next) documents.set(id, { document: next, at, since: before?.since ?? at.position });
      else documents.delete(id);
    },
    skip: (streamName) => {
      const id = projection.corruptedDocumentId?.(streamName);
      if (id !== undefined && owns(id)) documents.delete(id);
    },
  };
};
