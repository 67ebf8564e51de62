import { cpSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { pino } from 'pino';
import type { EventStore } from '../../src/application/ports/eventStore.js';
import { refundCategory } from '../../src/application/refundEventCodec.js';
import { createEsdbEventStore } from '../../src/infrastructure/esdb/esdbEventStore.js';
import { createSqliteEventStore } from '../../src/infrastructure/sqlite/sqliteEventStore.js';
import { esdbEndpoint } from '../../src/infrastructure/stores/storeEndpoints.js';

/**
 * Where the benchmarked services keep their stores. Embedded: each service its own DATA_DIR, a
 * prepared log copied into it. Engines: every service on the one EventStoreDB log (prepared
 * once), each with a MongoDB database of its own, so that its read models are built from it.
 */
export type BenchStores = {
  name: string;
  /** The event log that services started by `serviceEnv(dataDir, …)` will read. */
  openLog: (dataDir: string) => EventStore;
  /** Gives `dataDir` the prepared log (`prepared` is where openLog wrote it). */
  seed: (prepared: string, dataDir: string) => void;
  /** The environment of one service; `instance` names its read models. */
  serviceEnv: (dataDir: string, instance: string) => NodeJS.ProcessEnv;
  /** The log must start empty: a reason to skip when it is not. */
  notEmpty: () => Promise<string | undefined>;
};

export const embeddedStores: BenchStores = {
  name: 'embedded SQLite (synchronous=FULL for the log)',
  openLog: (dataDir) => createSqliteEventStore({ file: path.join(dataDir, 'events.db') }),
  seed: (prepared, dataDir) => cpSync(prepared, dataDir, { recursive: true }),
  // Whatever the bench's own environment says (it may name the engines).
  serviceEnv: (dataDir) => ({ DATA_DIR: dataDir, EVENT_STORE: 'sqlite', READ_STORE: 'sqlite' }),
  notEmpty: async () => undefined,
};

/**
 * The EventStoreDB/MongoDB configuration from ESDB_CONNECTION_STRING and MONGO_URL, or why it
 * cannot run. The connection strings are passed on to the services, never printed.
 */
export const engineStores = (
  env: NodeJS.ProcessEnv,
  benchId: string,
): BenchStores | { skipped: string } => {
  const esdb = env['ESDB_CONNECTION_STRING'];
  const mongo = env['MONGO_URL'];
  if (!esdb || !mongo) {
    return {
      skipped:
        'skipped: set ESDB_CONNECTION_STRING and MONGO_URL (empty servers of your own) to benchmark the EventStoreDB/MongoDB configuration',
    };
  }
  const openLog = () =>
    createEsdbEventStore({ ...esdbEndpoint(esdb), log: pino({ level: 'warn' }) });
  return {
    name: 'EventStoreDB (ESDB_CONNECTION_STRING) and MongoDB (MONGO_URL)',
    openLog,
    seed: (_prepared, dataDir) => mkdirSync(dataDir, { recursive: true }),
    serviceEnv: (dataDir, instance) => ({
      DATA_DIR: dataDir,
      EVENT_STORE: 'esdb',
      ESDB_CONNECTION_STRING: esdb,
      READ_STORE: 'mongo',
      MONGO_URL: mongo,
      MONGO_DB: `refunds_bench_${benchId}_${instance}`,
    }),
    notEmpty: async () => {
      const log = openLog();
      try {
        const head = await log.headPosition(refundCategory);
        return head === undefined
          ? undefined
          : 'skipped: the EventStoreDB log already holds refund events; the benchmark needs an empty one (its services share the log)';
      } finally {
        await log.close();
      }
    },
  };
};
