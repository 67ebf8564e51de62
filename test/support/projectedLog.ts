import path from 'node:path';
import { pino } from 'pino';
import type { DocumentStore } from '../../src/application/ports/documentStore.js';
import type { Clock } from '../../src/application/ports/clock.js';
import type { EventStore } from '../../src/application/ports/eventStore.js';
import { openSqliteDatabase } from '../../src/infrastructure/sqlite/openSqliteDatabase.js';
import { createSqliteDocumentStore } from '../../src/infrastructure/sqlite/sqliteDocumentStore.js';
import { createSqliteEventStore } from '../../src/infrastructure/sqlite/sqliteEventStore.js';
import { orderLedgerProjection } from '../../src/projections/orderLedger.js';
import { rebuildProjection } from '../../src/projections/rebuildProjection.js';
import { refundViewProjection } from '../../src/projections/refundViewProjection.js';
import { writeRandomRefunds, type GeneratedLog } from '../../bench/support/randomRefunds.js';

export type ProjectedLog = {
  events: EventStore;
  documents: DocumentStore;
  written: GeneratedLog;
  /** Builds the refund view and the order ledger from the log as it is now (a new generation). */
  project: () => Promise<void>;
  close: () => Promise<void>;
};

/**
 * A DATA_DIR as the service leaves it: a log of `refunds` random refunds in events.db and the
 * read models the audit compares, built by the real projections, in read.db.
 */
export const projectedLog = async (
  dataDir: string,
  refunds: number,
  { clock }: { clock?: Clock } = {},
): Promise<ProjectedLog> => {
  const events = createSqliteEventStore({
    file: path.join(dataDir, 'events.db'),
    ...(clock && { clock }),
  });
  const documents = createSqliteDocumentStore({ file: path.join(dataDir, 'read.db') });
  const written = await writeRandomRefunds(events, refunds);
  const project = async () => {
    const deps = { events, documents, log: pino({ level: 'silent' }), dropOld: true };
    await rebuildProjection(refundViewProjection, deps);
    await rebuildProjection(orderLedgerProjection, deps);
  };
  await project();
  return {
    events,
    documents,
    written,
    project,
    close: async () => {
      await documents.close();
      await events.close();
    },
  };
};

/** Changes read.db behind the projections' back, as a hand edit or a bug would. */
export const editReadModel = (dataDir: string, sql: string, ...params: (string | number)[]) => {
  const db = openSqliteDatabase(path.join(dataDir, 'read.db'), { synchronous: 'NORMAL' });
  try {
    return db.prepare(sql).run(...params).changes;
  } finally {
    db.close();
  }
};
