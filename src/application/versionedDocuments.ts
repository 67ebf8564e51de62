import type { DocumentCollection } from './ports/documentStore.js';
import type { JsonObject } from './ports/eventStore.js';

/*
 * Primary data kept in the document store (webhook endpoints and deliveries, bill
 * reconciliations and their daily runs): each document's position is its version, so a write at
 * version + 1 is a compare-and-set that the guarded write refuses once another writer got there
 * first.
 */

/** Writes the next version of a document unless another writer wrote it first (then false). */
export const writeNextVersion = <T extends JsonObject & { version: number }>(
  collection: DocumentCollection<T>,
  id: string,
  next: T,
): Promise<boolean> => collection.put(id, next, BigInt(next.version));

/** writeNextVersion for each document, in one batch; answers which were written, in order. */
export const writeNextVersionsOf = <T extends JsonObject & { id: string; version: number }>(
  collection: DocumentCollection<T>,
  next: readonly T[],
): Promise<boolean[]> =>
  collection.writeMany(
    next.map((document) => ({
      id: document.id,
      body: document,
      position: BigInt(document.version),
    })),
  );

/**
 * A collection opened on first use and again after a failure: a store that does not answer yet
 * must not fail the start of the service.
 */
export const openedOnFirstUse = <T extends JsonObject>(
  open: () => Promise<DocumentCollection<T>>,
): (() => Promise<DocumentCollection<T>>) => {
  let opened: Promise<DocumentCollection<T>> | undefined;
  return () =>
    (opened ??= open().catch((error: unknown) => {
      opened = undefined;
      throw error;
    }));
};
