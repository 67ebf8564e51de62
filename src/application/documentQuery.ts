import { z } from 'zod';
import type {
  DocumentPage,
  DocumentQuery,
  FieldValue,
  OrderedIndex,
} from './ports/documentStore.js';

/** A cursor that no page of query() gave out (or a changed one): the caller's mistake. */
export class InvalidCursor extends Error {
  override readonly name = 'InvalidCursor';
  readonly code = 'INVALID_CURSOR';
}

/*
 * The parts of DocumentCollection.query that do not depend on the store, shared by the adapters
 * so that both page, choose indexes and refuse cursors alike.
 */

/** A cursor is the order value and the id of a page's last document, opaque to callers. */
export const encodeCursor = (value: FieldValue, id: string): string =>
  Buffer.from(JSON.stringify([value, id]), 'utf8').toString('base64url');

const base64url = /^[A-Za-z0-9_-]{1,2048}$/;
const fieldValue = z.union([z.string(), z.number(), z.boolean()]);
const cursorSchema = z.tuple([fieldValue, z.string()]);

export const decodeCursor = (text: string): { value: FieldValue; id: string } => {
  const refused = () => new InvalidCursor('the cursor is not one this service gave out');
  if (!base64url.test(text)) throw refused();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    throw refused();
  }
  const cursor = cursorSchema.safeParse(parsed);
  if (!cursor.success) throw refused();
  const [value, id] = cursor.data;
  return { value, id };
};

/** The value at a dotted path of a document; undefined when absent or not a plain value. */
export const valueAt = (document: object, path: string): FieldValue | undefined => {
  let current: unknown = document;
  for (const key of path.split('.')) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = Object.getOwnPropertyDescriptor(current, key)?.value;
  }
  const plain = fieldValue.safeParse(current);
  return plain.success ? plain.data : undefined;
};

/**
 * The declared index that serves the query: same order field and direction, every `equal` field
 * among the query's `where`, the most of them (the first declared among equals).
 */
export const chooseIndex = (
  collection: string,
  indexes: readonly OrderedIndex[],
  query: DocumentQuery,
): OrderedIndex => {
  const where = Object.keys(query.where ?? {});
  let chosen: OrderedIndex | undefined;
  for (const index of indexes) {
    if (index.orderBy !== query.orderBy || index.direction !== query.direction) continue;
    if (!index.equal.every((field) => where.includes(field))) continue;
    if (!chosen || index.equal.length > chosen.equal.length) chosen = index;
  }
  if (!chosen) {
    throw new Error(
      `no ordered index of ${collection} serves a query on [${where.join(', ')}] by ${query.orderBy} ${query.direction}`,
    );
  }
  return chosen;
};

/** limit + 1 rows were read: the extra one only says whether there is a next page. */
export const pageOf = <T extends object>(
  rows: readonly { id: string; body: T }[],
  query: DocumentQuery,
): DocumentPage<T> => {
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  const lastValue = last && valueAt(last.body, query.orderBy);
  return {
    documents: page.map((row) => row.body),
    next:
      rows.length > query.limit && last && lastValue !== undefined
        ? encodeCursor(lastValue, last.id)
        : undefined,
  };
};
