import { Long, type Document, type IndexDescription, type UpdateResult } from 'mongodb';
import { z } from 'zod';
import type {
  DocumentQuery,
  FieldValue,
  OrderedIndex,
} from '../../application/ports/documentStore.js';
import type { JsonObject } from '../../application/ports/eventStore.js';
import { isDuplicateKey } from './mongoErrors.js';

/**
 * How read-model documents are laid out in MongoDB, as pure functions (tested without a server):
 * `{ _id: <id>, position: <int64>, body: <the document> | null }`, body null being a tombstone.
 *
 * Positions are BSON int64 (Long). The server compares int64 values exactly as signed 64-bit
 * integers, so every position the port allows (0 to 2^63-1) orders correctly, also beyond 2^53
 * where a double would round; a zero-padded decimal string would order too, but is bigger and
 * reads worse in mongosh. The driver runs with useBigInt64, so they come back as bigint.
 */
export const maxPosition = 2n ** 63n - 1n;

export const encodePosition = (position: bigint): Long => {
  if (position < 0n || position > maxPosition) {
    throw new RangeError(`position ${position} is outside 0..2^63-1`);
  }
  return Long.fromBigInt(position);
};

/**
 * The guarded write: it matches only a document older than the position. When there is none the
 * upsert inserts, which fails with a duplicate key (E11000) if a document exists: then it is at
 * this position or later, and the write must not happen.
 */
export const guardedWrite = (
  id: string,
  position: bigint,
  body: JsonObject | null,
): { filter: Document; update: Document } => ({
  filter: { _id: id, position: { $lt: encodePosition(position) } },
  update: { $set: { position: encodePosition(position), body } },
});

export const indexOn = (field: string): IndexDescription => ({
  // _id second: findBy answers in id order, which the index then already has per value.
  key: { [`body.${field}`]: 1, _id: 1 },
  name: `body_${field}`,
});

export const findByFilter = (field: string, values: readonly FieldValue[]): Document => ({
  [`body.${field}`]: { $in: [...values] },
});

const direction = (index: { direction: 'asc' | 'desc' }): 1 | -1 =>
  index.direction === 'asc' ? 1 : -1;

/** A compound index for DocumentCollection.query: equal fields, the order field, then _id. */
export const orderedIndexOn = (index: OrderedIndex): IndexDescription & { name: string } => ({
  key: {
    ...Object.fromEntries(index.equal.map((field) => [`body.${field}`, 1])),
    [`body.${index.orderBy}`]: direction(index),
    _id: 1,
  },
  name: `by_${[...index.equal, index.orderBy].join('_').replaceAll('.', '_')}_${index.direction}`,
});

/**
 * The filter of a query page: the where fields, the order field present and within the range,
 * and after the cursor (order value beyond it, or equal with a greater _id).
 */
export const queryFilter = (
  query: DocumentQuery,
  cursor: { value: FieldValue; id: string } | undefined,
): Document => {
  const order = `body.${query.orderBy}`;
  const beyond = query.direction === 'desc' ? '$lte' : '$gte';
  const conditions: Document[] = [
    ...Object.entries(query.where ?? {}).map(([field, value]) => ({ [`body.${field}`]: value })),
    { [order]: { $ne: null } },
    ...(query.range?.min !== undefined ? [{ [order]: { $gte: query.range.min } }] : []),
    ...(query.range?.max !== undefined ? [{ [order]: { $lte: query.range.max } }] : []),
    ...(cursor
      ? [
          { [order]: { [beyond]: cursor.value } },
          { $nor: [{ [order]: cursor.value, _id: { $lte: cursor.id } }] },
        ]
      : []),
  ];
  return { $and: conditions };
};

export const querySort = (query: DocumentQuery): Document => ({
  [`body.${query.orderBy}`]: direction(query),
  _id: 1,
});

/** A page of live documents after an id (tombstones are skipped). */
export const pageFilter = (after: string | undefined): Document => ({
  ...(after !== undefined && { _id: { $gt: after } }),
  body: { $ne: null },
});

const storedSchema = z.object({
  _id: z.string(),
  position: z.bigint(),
  body: z.record(z.string(), z.unknown()).nullable(),
});

/** A stored document, validated, with its body left to the collection's own decoder. */
export const decodeStored = <T>(
  raw: unknown,
  decode: (value: unknown) => T,
): { id: string; body: T | undefined; position: bigint } => {
  const stored = storedSchema.parse(raw);
  return {
    id: stored._id,
    body: stored.body === null ? undefined : decode(stored.body),
    position: stored.position,
  };
};

const positionSchema = z.object({ _id: z.string(), position: z.bigint() });

/** A stored document's id and position, read without its body (a projection of both fields). */
export const decodePosition = (raw: unknown): { id: string; position: bigint } => {
  const stored = positionSchema.parse(raw);
  return { id: stored._id, position: stored.position };
};

/** Outcome of a guarded write that did not throw: it changed or inserted the document. */
export const wasWritten = (result: Pick<UpdateResult, 'matchedCount' | 'upsertedCount'>): boolean =>
  result.matchedCount > 0 || result.upsertedCount > 0;

/**
 * Runs a guarded upsert (see guardedWrite) and says whether it wrote. A duplicate key on the first
 * try can also mean another writer inserted the document first, perhaps at a lower position: the
 * second try then matches it, or meets a document at this position or later, for good (positions
 * only grow and documents are never removed, only tombstoned), and the answer is "not written".
 */
export const runGuardedUpsert = async (
  upsert: () => Promise<Pick<UpdateResult, 'matchedCount' | 'upsertedCount'>>,
): Promise<boolean> => {
  try {
    return wasWritten(await upsert());
  } catch (error) {
    if (!isDuplicateKey(error)) throw error;
  }
  try {
    return wasWritten(await upsert());
  } catch (error) {
    if (isDuplicateKey(error)) return false;
    throw error;
  }
};
