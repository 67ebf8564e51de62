import type { MongoClient } from 'mongodb';
import type { CollectionOptions, DocumentStore } from '../../application/ports/documentStore.js';
import type { JsonObject } from '../../application/ports/eventStore.js';
import { StoreUnavailable, type StoreHealth } from '../../application/ports/storeHealth.js';
import { checkDocumentName, isDocumentName } from '../stores/documentNames.js';
import { TimedOut, withTimeout } from '../stores/withTimeout.js';
import { connectWhenNeeded } from './connectWhenNeeded.js';
import { mongoCollection, type MongoRun } from './mongoCollection.js';
import { mongoHealthReason, mongoStoreError } from './mongoErrors.js';

export type MongoDocumentStoreOptions = {
  client: MongoClient;
  dbName: string;
  /** Where the server is, for messages (no credentials): see storeTarget. */
  target: string;
  healthTimeoutMs?: number;
  pageSize?: number;
  /**
   * For the read-only commands (audit, history, export), whose user may have read rights only:
   * nothing is created (no collection, no index) and every write is refused.
   */
  readonly?: boolean;
};

/**
 * Read models on MongoDB: one MongoDB collection per collection of the port, documents laid out
 * as mongoDocumentCodec says. Every write is a single-document upsert guarded by position, so the
 * store needs no multi-document transaction and works alike on a standalone server and a replica
 * set. The client is the caller's; close() closes it.
 */
export const createMongoDocumentStore = ({
  client,
  dbName,
  target,
  healthTimeoutMs = 2000,
  pageSize = 500,
  readonly = false,
}: MongoDocumentStoreOptions): DocumentStore => {
  const connected = connectWhenNeeded(client);
  let closed = false;
  // useBigInt64: positions are int64 and must come back exact. ignoreUndefined: a property that is
  // undefined is left out, as JSON.stringify (and so the SQLite store) leaves it out.
  const run: MongoRun = async (operation) => {
    try {
      return await operation(
        (await connected()).db(dbName, { useBigInt64: true, ignoreUndefined: true }),
      );
    } catch (error) {
      throw mongoStoreError(error, target);
    }
  };

  return {
    collection: async <T extends JsonObject>(name: string, options: CollectionOptions<T>) => {
      const collection = mongoCollection(run, checkDocumentName('collection', name), options, {
        pageSize,
        readonly,
      });
      if (readonly) return collection.documents;
      try {
        await collection.ready();
      } catch (error) {
        // A server that does not answer yet: the indexes are created by the first operation that
        // finds it up. Anything else (no permission, a bad index) is for the caller to see.
        if (!(error instanceof StoreUnavailable)) throw error;
      }
      return collection.documents;
    },
    collectionNames: () =>
      run(async (db) => {
        const listed = await db.listCollections({}, { nameOnly: true }).toArray();
        return listed
          .map((info) => info.name)
          .filter(isDocumentName)
          .sort();
      }),
    health: async (): Promise<StoreHealth> => {
      if (closed) return { ok: false, reason: 'closed' };
      try {
        await withTimeout(
          connected().then((c) => c.db(dbName).command({ ping: 1 })),
          healthTimeoutMs,
          'the server',
        );
        return { ok: true };
      } catch (error) {
        return {
          ok: false,
          reason:
            error instanceof TimedOut
              ? `MongoDB at ${target} unreachable: ${error.message}`
              : mongoHealthReason(error, target),
        };
      }
    },
    close: async () => {
      closed = true;
      await client.close();
    },
  };
};
