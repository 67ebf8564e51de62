import type { Db } from 'mongodb';
import { chooseIndex, decodeCursor, pageOf } from '../../application/documentQuery.js';
import type {
  CollectionOptions,
  DocumentCollection,
  DocumentWrite,
  FieldValue,
} from '../../application/ports/documentStore.js';
import type { JsonObject } from '../../application/ports/eventStore.js';
import { checkDocumentName, checkDocumentPath } from '../stores/documentNames.js';
import { readOnlyRefusal } from '../stores/readOnlyRefusal.js';
import {
  decodePosition,
  decodeStored,
  findByFilter,
  guardedWrite,
  indexOn,
  orderedIndexOn,
  pageFilter,
  queryFilter,
  querySort,
  runGuardedUpsert,
} from './mongoDocumentCodec.js';

/** Runs an operation on the store's database, its errors translated (see the store). */
export type MongoRun = <R>(operation: (db: Db) => Promise<R>) => Promise<R>;

const namespaceExists = 48;

/** The one field every stored document has for sure; the rest is checked by decodeStored. */
type Keyed = { _id: string };

/**
 * One collection of the port on one MongoDB collection. `ready` creates it and its indexes, once;
 * read-only, nothing is created and every write is refused.
 */
export const mongoCollection = <T extends JsonObject>(
  run: MongoRun,
  name: string,
  { decode, indexes = [], orderedIndexes = [] }: CollectionOptions<T>,
  { pageSize, readonly }: { pageSize: number; readonly: boolean },
) => {
  for (const field of indexes) checkDocumentName('field', field);
  for (const index of orderedIndexes) [...index.equal, index.orderBy].forEach(checkDocumentPath);
  const allIndexes = [...indexes.map(indexOn), ...orderedIndexes.map(orderedIndexOn)];
  let indexed: Promise<void> | undefined;

  /** Creates the collection and its indexes, once (again after a failure, or a drop). */
  const ready = (): Promise<void> => {
    indexed ??= run(async (db) => {
      if (allIndexes.length > 0) {
        await db.collection<Keyed>(name).createIndexes(allIndexes);
        return;
      }
      try {
        await db.createCollection(name);
      } catch (error) {
        if (!(error instanceof Error && 'code' in error && error.code === namespaceExists))
          throw error;
      }
    }).catch((error: unknown) => {
      indexed = undefined;
      throw error;
    });
    return indexed;
  };

  // Read-only, nothing is created first: a collection that does not exist reads as empty.
  const onCollection = <R>(operation: (db: Db) => Promise<R>): Promise<R> =>
    run(async (db) => {
      if (!readonly) await ready();
      return operation(db);
    });

  const write = (id: string, position: bigint, body: T | null): Promise<boolean> =>
    readonly
      ? readOnlyRefusal('document store')
      : onCollection((db) => {
          const { filter, update } = guardedWrite(id, position, body);
          return runGuardedUpsert(() =>
            db.collection<Keyed>(name).updateOne(filter, update, { upsert: true }),
          );
        });

  const getStored = (id: string) =>
    onCollection(async (db) => {
      const raw = await db.collection<Keyed>(name).findOne({ _id: id });
      return raw === null ? undefined : decodeStored(raw, decode);
    });

  const documents: DocumentCollection<T> = {
    get: async (id) => (await getStored(id))?.body,
    getWithPosition: async (id) => {
      const stored = await getStored(id);
      return stored && { body: stored.body, position: stored.position };
    },
    getMany: async (ids) => {
      const found = new Map<string, { body: T | undefined; position: bigint }>();
      if (ids.length === 0) return found;
      const raws = await onCollection((db) =>
        db
          .collection<Keyed>(name)
          .find({ _id: { $in: [...ids] } })
          .toArray(),
      );
      for (const raw of raws) {
        const { id, body, position } = decodeStored(raw, decode);
        found.set(id, { body, position });
      }
      return found;
    },
    put: (id, body, position) => write(id, position, body),
    delete: (id, position) => write(id, position, null),
    // Guarded upserts of different documents are independent: sent together, without a
    // transaction. Writes to one document go one after the other, as puts in turn would.
    writeMany: async (writes) => {
      const byId = new Map<string, { write: DocumentWrite<T>; at: number }[]>();
      writes.forEach((one, at) =>
        byId.set(one.id, [...(byId.get(one.id) ?? []), { write: one, at }]),
      );
      const written = writes.map(() => false);
      await Promise.all(
        [...byId.values()].map(async (sameDocument) => {
          for (const { write: one, at } of sameDocument) {
            written[at] = await write(one.id, one.position, one.body);
          }
        }),
      );
      return written;
    },
    findBy: async (field, value) => {
      if (!indexes.includes(field)) throw new Error(`${name}.${field} is not an indexed field`);
      const values: readonly FieldValue[] = typeof value === 'object' ? value : [value];
      if (values.length === 0) return [];
      const found = await onCollection((db) =>
        db.collection<Keyed>(name).find(findByFilter(field, values)).sort({ _id: 1 }).toArray(),
      );
      return found
        .map((raw) => decodeStored(raw, decode).body)
        .filter((body): body is T => body !== undefined);
    },
    // The index is named (hint): a query the declared indexes do not serve must not become a
    // collection scan because the planner preferred another plan.
    query: async (query) => {
      const index = orderedIndexOn(chooseIndex(name, orderedIndexes, query));
      const cursor = query.after === undefined ? undefined : decodeCursor(query.after);
      const found = await onCollection((db) =>
        db
          .collection<Keyed>(name)
          .find(queryFilter(query, cursor))
          .sort(querySort(query))
          .hint(index.name)
          .limit(query.limit + 1)
          .toArray(),
      );
      return pageOf(
        found.flatMap((raw) => {
          const stored = decodeStored(raw, decode);
          return stored.body === undefined ? [] : [{ id: stored.id, body: stored.body }];
        }),
        query,
      );
    },
    // Paged by _id rather than one open cursor: writes may interleave between pages, and a cursor
    // left open across a slow consumer times out on the server.
    entries: async function* () {
      for (let after: string | undefined; ;) {
        const from = after;
        const page = await onCollection((db) =>
          db
            .collection<Keyed>(name)
            .find(pageFilter(from))
            .sort({ _id: 1 })
            .limit(pageSize)
            .toArray(),
        );
        for (const raw of page) {
          const stored = decodeStored(raw, decode);
          after = stored.id;
          if (stored.body !== undefined) {
            yield { id: stored.id, body: stored.body, position: stored.position };
          }
        }
        if (page.length < pageSize) return;
      }
    },
    positions: async ({ after, limit }) => {
      const page = await onCollection((db) =>
        db
          .collection<Keyed>(name)
          .find(pageFilter(after), { projection: { _id: 1, position: 1 } })
          .sort({ _id: 1 })
          .limit(limit)
          .toArray(),
      );
      return page.map(decodePosition);
    },
    all: async function* () {
      for await (const { body } of documents.entries()) yield body;
    },
    drop: async () => {
      if (readonly) return readOnlyRefusal('document store');
      await run((db) => db.collection<Keyed>(name).drop());
      indexed = undefined;
    },
  };
  return { documents, ready };
};
