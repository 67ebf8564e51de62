import type { JsonObject } from './eventStore.js';
import type { StoreHealth } from './storeHealth.js';

export type FieldValue = string | number | boolean;

/**
 * An index that serves query(): documents whose `equal` fields have given values, ordered by
 * `orderBy` in `direction`, ties by id ascending. Field names may be dotted paths
 * (`failure.code`). SQLite makes it an expression index, MongoDB a compound index.
 */
export type OrderedIndex = {
  equal: readonly string[];
  orderBy: string;
  direction: 'asc' | 'desc';
};

export type CollectionOptions<T> = {
  /** Validates a document read back from the store (a store is an edge too). */
  decode: (value: unknown) => T;
  /** Top-level fields queried with findBy; the adapter indexes them. */
  indexes?: readonly string[];
  /** The indexes query() may use; a query no declared index serves is refused. */
  orderedIndexes?: readonly OrderedIndex[];
};

/**
 * A page of documents, in index order. The adapter answers it from the declared ordered index
 * with the most of the query's `where` fields among its `equal` fields (other `where` fields are
 * checked on the index's rows): never a scan of the collection. Documents without the order field
 * are not listed.
 */
export type DocumentQuery = {
  where?: Readonly<Record<string, FieldValue>>;
  orderBy: string;
  direction: 'asc' | 'desc';
  /** Inclusive bounds on the order field. */
  range?: { min?: FieldValue; max?: FieldValue };
  limit: number;
  /** Continues after the page whose `next` this is (opaque; see documentCursor). */
  after?: string;
};

/** `next`: the cursor of the following page; undefined on the last one. */
export type DocumentPage<T> = { documents: T[]; next: string | undefined };

/** A guarded write: the document (null deletes it, leaving a tombstone) as of a log position. */
export type DocumentWrite<T> = { id: string; body: T | null; position: bigint };

export interface DocumentCollection<T extends JsonObject> {
  get(id: string): Promise<T | undefined>;
  /** The document with the position it was written at; a deleted one has body undefined. */
  getWithPosition(id: string): Promise<{ body: T | undefined; position: bigint } | undefined>;
  /**
   * The documents with these ids, each as getWithPosition gives it (a deleted one with body
   * undefined), in one round trip; an id the collection has nothing for is absent from the map.
   */
  getMany(ids: readonly string[]): Promise<Map<string, { body: T | undefined; position: bigint }>>;
  /** Writes unless the stored document is at this position or later. True when written. */
  put(id: string, body: T, position: bigint): Promise<boolean>;
  /** Deletes unless the stored document is at this position or later (a tombstone keeps it). */
  delete(id: string, position: bigint): Promise<boolean>;
  /**
   * Each write as put or delete would do it, guard included. Adapters may batch them (SQLite: one
   * transaction): a projection writes a page of events this way. Answers, in the order of the
   * writes, whether each was written (a batch of compare-and-sets: webhook claims).
   */
  writeMany(writes: readonly DocumentWrite<T>[]): Promise<boolean[]>;
  /** Documents whose indexed field equals the value, or one of the values. */
  findBy(field: string, value: FieldValue | readonly FieldValue[]): Promise<T[]>;
  /** A page of the documents the query selects; throws InvalidCursor for a malformed `after`. */
  query(query: DocumentQuery): Promise<DocumentPage<T>>;
  /** Every document, for rebuild comparisons and audits; in id order. */
  all(): AsyncIterable<T>;
  /**
   * Every document with its id and the position it was written at, in id order: an audit tells
   * which document is which by its id, not by what the body says, and lag from drift by position.
   */
  entries(): AsyncIterable<{ id: string; body: T; position: bigint }>;
  /**
   * A page of the documents' ids and the positions they were written at, in id order, after
   * `after` (from the first when undefined), without their bodies (deleted ones left out): what
   * an audit needs of the documents it has no replay for.
   */
  positions(page: { after?: string; limit: number }): Promise<{ id: string; position: bigint }[]>;
  /** Removes the collection and everything in it. */
  drop(): Promise<void>;
}

/**
 * Read models live in collections of JSON documents keyed by id (MongoDB in production, SQLite
 * embedded). Every write carries the log position of the event it reflects, and a write with a
 * position not above the stored one is ignored: replaying events, or two instances projecting
 * the same events, changes nothing.
 */
export interface DocumentStore {
  collection<T extends JsonObject>(
    name: string,
    options: CollectionOptions<T>,
  ): Promise<DocumentCollection<T>>;
  collectionNames(): Promise<string[]>;
  /** Whether the store answers now; never throws. */
  health(): Promise<StoreHealth>;
  close(): Promise<void>;
}
