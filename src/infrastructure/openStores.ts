import path from 'node:path';
import { systemClock, type Clock } from '../application/ports/clock.js';
import type { DocumentStore } from '../application/ports/documentStore.js';
import type { EventStore } from '../application/ports/eventStore.js';
import type { Config } from './config/config.js';
import { createSqliteDocumentStore } from './sqlite/sqliteDocumentStore.js';
import { createSqliteEventStore } from './sqlite/sqliteEventStore.js';

export class StoreUnavailable extends Error {
  override readonly name = 'StoreUnavailable';
}

/** The event log and the read-model store the configuration names. */
export const openStores = (
  config: Config,
  { clock = systemClock }: { clock?: Clock } = {},
): { events: EventStore; documents: DocumentStore } => {
  if (config.eventStore.kind === 'esdb') {
    throw new StoreUnavailable('EVENT_STORE=esdb is not available in this build yet');
  }
  if (config.readStore.kind === 'mongo') {
    throw new StoreUnavailable('READ_STORE=mongo is not available in this build yet');
  }
  return {
    events: createSqliteEventStore({ file: path.join(config.dataDir, 'events.db'), clock }),
    documents: createSqliteDocumentStore({ file: path.join(config.dataDir, 'read.db') }),
  };
};
