import path from 'node:path';
import type { EventStoreDBClient } from '@eventstore/db-client';
import { systemClock, type Clock } from '../../application/ports/clock.js';
import type { DocumentStore } from '../../application/ports/documentStore.js';
import type { EventStore } from '../../application/ports/eventStore.js';
import type { Log } from '../../application/ports/log.js';
import { refundCategory } from '../../application/refundEventCodec.js';
import type { Config } from '../config/config.js';
import { createEsdbEventStore } from '../esdb/esdbEventStore.js';
import { createMongoDocumentStore } from '../mongo/mongoDocumentStore.js';
import { createSqliteDocumentStore } from '../sqlite/sqliteDocumentStore.js';
import { createSqliteEventStore } from '../sqlite/sqliteEventStore.js';
import { esdbEndpoint, mongoEndpoint } from './storeEndpoints.js';

export type Stores = {
  events: EventStore;
  documents: DocumentStore;
  /** Where each store is, for log lines and readiness (never with credentials). */
  targets: { eventStore: string; readStore: string };
  /**
   * The log's client when the log is EventStoreDB, for the reactors' persistent subscriptions
   * (the store closes it); undefined on the embedded log.
   */
  esdbClient: EventStoreDBClient | undefined;
};

/**
 * The event log and the read-model store the configuration names. Nothing here talks to a server:
 * clients connect on first use, so a server that is down does not stop the service from starting
 * (readiness says so, and the stores reconnect when it is back).
 */
export const openStores = (
  config: Config,
  { log, clock = systemClock }: { log: Log; clock?: Clock },
): Stores => {
  const esdb =
    config.eventStore.kind === 'esdb'
      ? esdbEndpoint(config.eventStore.connectionString)
      : undefined;
  const events = esdb
    ? createEsdbEventStore({ ...esdb, log, wakeOnCategories: [refundCategory] })
    : createSqliteEventStore({ file: path.join(config.dataDir, 'events.db'), clock });

  const mongo = config.readStore.kind === 'mongo' ? mongoEndpoint(config.readStore) : undefined;
  const documents = mongo
    ? createMongoDocumentStore(mongo)
    : createSqliteDocumentStore({ file: path.join(config.dataDir, 'read.db') });

  return {
    events,
    documents,
    targets: {
      eventStore: esdb?.target ?? `sqlite:${path.join(config.dataDir, 'events.db')}`,
      readStore: mongo?.target ?? `sqlite:${path.join(config.dataDir, 'read.db')}`,
    },
    esdbClient: esdb?.client,
  };
};
