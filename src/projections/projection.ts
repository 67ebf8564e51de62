import type { OrderedIndex } from '../application/ports/documentStore.js';
import type { JsonObject } from '../application/ports/eventStore.js';
import type { RefundEvent } from '../domain/index.js';

/**
 * A read model as a pure function of events: which document an event changes, and how.
 * The runner owns the I/O, the checkpoints and the position guard.
 */
export type Projection<D extends JsonObject> = {
  name: string;
  /** Bump when evolve or the document shape changes: the read model is then rebuilt at start. */
  version: number;
  /** Fields the queries look documents up by. */
  indexes: readonly string[];
  /**
   * Indexes of the paged queries. Adding one needs no version bump: the documents do not change,
   * and the stores create a missing index when the collection is opened (in place).
   */
  orderedIndexes?: readonly OrderedIndex[];
  decode: (value: unknown) => D;
  documentId: (event: RefundEvent) => string | undefined;
  /** null: no document (or delete the one there was). */
  evolve: (document: D | null, event: RefundEvent) => D | null;
  /**
   * The document an unreadable event of the stream leaves without a true state, removed so that
   * readers go to the stream (and say it cannot be read) instead of showing the refund as it was
   * before. Absent: the projection cannot tell which document the event was about.
   */
  corruptedDocumentId?: (streamName: string) => string | undefined;
};
