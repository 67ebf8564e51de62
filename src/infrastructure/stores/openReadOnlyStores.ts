import { existsSync } from 'node:fs';
import path from 'node:path';
import type { DocumentStore } from '../../application/ports/documentStore.js';
import type { EventStore } from '../../application/ports/eventStore.js';
import type { RefundLogByOrder } from '../../application/ports/refundLogByOrder.js';
import type { Config } from '../config/config.js';
import type { Log } from '../../application/ports/log.js';
import { StoreUnavailable } from '../../application/ports/storeHealth.js';
import { createEsdbEventStore } from '../esdb/esdbEventStore.js';
import { createMongoDocumentStore } from '../mongo/mongoDocumentStore.js';
import { createLogger } from '../observability/logger.js';
import { createSqliteDocumentStore } from '../sqlite/sqliteDocumentStore.js';
import { copiedRefundLog } from '../sqlite/copiedRefundLog.js';
import { openSqliteDatabase } from '../sqlite/openSqliteDatabase.js';
import { createSqliteEventStore } from '../sqlite/sqliteEventStore.js';
import { sqliteRefundLogByOrder } from '../sqlite/sqliteRefundLogByOrder.js';
import { esdbEndpoint, mongoEndpoint } from './storeEndpoints.js';
import { errorMessage } from '../../application/errorMessage.js';

/** The read-only commands keep stdout for their result; a networked store's warnings go to stderr. */
const stderrWarnings = (): Log => createLogger('warn', process.stderr);

/*
 * The read-only commands (audit, history, export) run beside the service on the same stores.
 * They open each store on its own, read-only, and never create or write anything, on any engine:
 * auditing a directory that holds no log is an error, not an empty log, and a MongoDB user with
 * read rights only can run them. SQLite in WAL mode lets them read while the service writes.
 */

/** The configured event log, for reading. Throws StoreUnavailable when it cannot be read. */
export const openReadOnlyEventStore = (config: Config, log: Log = stderrWarnings()): EventStore => {
  // EventStoreDB is read through its client; reading takes no lock the service could wait on.
  if (config.eventStore.kind === 'esdb') {
    return createEsdbEventStore({
      ...esdbEndpoint(config.eventStore.connectionString),
      log,
      readonly: true,
    });
  }
  const file = path.join(config.dataDir, 'events.db');
  try {
    return createSqliteEventStore({ file, readonly: true });
  } catch (error) {
    throw new StoreUnavailable(`cannot read the event log ${file}: ${errorMessage(error)}`);
  }
};

/**
 * The configured read-model store, for reading; undefined when DATA_DIR has none (an auditor may
 * be handed the log alone). Throws StoreUnavailable when it is there but cannot be read.
 */
export const openReadOnlyDocumentStore = (config: Config): DocumentStore | undefined => {
  if (config.readStore.kind === 'mongo') {
    return createMongoDocumentStore({ ...mongoEndpoint(config.readStore), readonly: true });
  }
  const file = path.join(config.dataDir, 'read.db');
  if (!existsSync(file)) return undefined;
  try {
    return createSqliteDocumentStore({ file, readonly: true });
  } catch (error) {
    throw new StoreUnavailable(`cannot read the read models ${file}: ${errorMessage(error)}`);
  }
};

/**
 * The configured log up to `head`, grouped by order for the audit (RefundLogByOrder): the
 * embedded log in SQL, on a read-only connection of its own; EventStoreDB's through a copy in a
 * temporary SQLite file (it cannot order by stream), read from `events`.
 */
export const openReadOnlyRefundLog = async (
  config: Config,
  events: EventStore,
  head: bigint | undefined,
): Promise<RefundLogByOrder> => {
  if (config.eventStore.kind === 'esdb') return copiedRefundLog(events, head);
  const file = path.join(config.dataDir, 'events.db');
  const db = openSqliteDatabase(file, { readonly: true });
  try {
    return sqliteRefundLogByOrder(db, head, { onClose: () => db.close() });
  } catch (error) {
    db.close();
    throw error;
  }
};
