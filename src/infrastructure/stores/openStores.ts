import path from 'node:path';
import { documentCheckpoints } from '../../application/documentCheckpoints.js';
import {
  startGatewayReactor,
  type GatewayReactor,
  type GatewayReactorDeps,
} from '../../application/gatewayReactor.js';
import { systemClock, type Clock } from '../../application/ports/clock.js';
import type { DocumentStore } from '../../application/ports/documentStore.js';
import type { EventStore } from '../../application/ports/eventStore.js';
import type { Log } from '../../application/ports/log.js';
import { refundCategory } from '../../application/refundEventCodec.js';
import type { Config } from '../config/config.js';
import { createEsdbEventStore } from '../esdb/esdbEventStore.js';
import { startEsdbGatewayReactor } from '../esdb/esdbGatewayReactor.js';
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
   * Starts the gateway reactor the event store calls for: on EventStoreDB a persistent
   * subscription whose events the server shares among all instances; on the embedded log the
   * checkpointed reactor of the one process.
   */
  startGatewayReactor: (
    deps: GatewayReactorDeps & {
      /** The same log read through a cache (cachedCategoryReads), for the embedded reactor. */
      follow?: EventStore;
    },
  ) => Promise<GatewayReactor>;
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
    startGatewayReactor: ({ follow = events, ...deps }) =>
      esdb
        ? Promise.resolve(startEsdbGatewayReactor({ ...deps, client: esdb.client }))
        : startGatewayReactor({
            ...deps,
            events: follow,
            checkpoints: documentCheckpoints(documents),
          }),
  };
};
