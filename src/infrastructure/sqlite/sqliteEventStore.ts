import type {
  AppendResult,
  EventStore,
  EventToAppend,
  ExpectedRevision,
  ReadCategoryOptions,
  RecordedEvent,
} from '../../application/ports/eventStore.js';
import { systemClock, type Clock } from '../../application/ports/clock.js';
import { createAppendListeners } from '../stores/appendListeners.js';
import { readOnlyRefusal } from '../stores/readOnlyRefusal.js';
import { categoryOf, checkCategory } from '../stores/streamCategory.js';
import { parseJsonObject } from './json.js';
import { openSqliteDatabase, requireTable } from './openSqliteDatabase.js';
import { sqliteHealth } from './sqliteHealth.js';
import { SqliteWriteError, startSqliteWriter } from './sqliteWriter.js';

/** The log's table; copiedRefundLog makes the same for a copy of another store's log. */
export const eventsTableSchema = `
  CREATE TABLE IF NOT EXISTS events (
    position INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    stream TEXT NOT NULL,
    category TEXT NOT NULL,
    revision INTEGER NOT NULL,
    type TEXT NOT NULL,
    data TEXT NOT NULL,
    metadata TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    UNIQUE (stream, revision)
  );
  CREATE INDEX IF NOT EXISTS events_by_category ON events (category, position);
`;

/** A row of the events table. */
export type EventRow = {
  position: bigint;
  id: string;
  stream: string;
  revision: bigint;
  type: string;
  data: string;
  metadata: string;
  recorded_at: string;
};

export const eventOfRow = (row: EventRow): RecordedEvent => ({
  id: row.id,
  streamName: row.stream,
  type: row.type,
  revision: row.revision,
  position: row.position,
  recordedAt: row.recorded_at,
  data: parseJsonObject(row.data, `data of event ${row.position}`),
  metadata: parseJsonObject(row.metadata, `metadata of event ${row.position}`),
});

type PendingAppend = {
  streamName: string;
  events: readonly EventToAppend[];
  expected: ExpectedRevision;
  resolve: (result: AppendResult) => void;
  reject: (error: unknown) => void;
};

export type SqliteEventStoreOptions = {
  file: string;
  clock?: Clock;
  busyTimeoutMs?: number;
  /** Reads an existing log without writing to it (the audit commands, beside a running service). */
  readonly?: boolean;
};

/**
 * The embedded event log. Appends are group-committed by a writer in a worker thread
 * (sqliteWriter): every append requested while the previous commit is under way shares the next
 * write transaction and its fsync, and each caller is answered only after that commit. Each
 * append keeps its own expected-revision check and is atomic (a savepoint), so a conflict in one
 * does not affect the others. Reads use this thread's own connection (WAL: they never wait for
 * the writer).
 */
export const createSqliteEventStore = ({
  file,
  clock = systemClock,
  busyTimeoutMs,
  readonly = false,
}: SqliteEventStoreOptions): EventStore => {
  const db = openSqliteDatabase(file, {
    ...(busyTimeoutMs !== undefined && { busyTimeoutMs }),
    readonly,
  });
  if (readonly) requireTable(db, 'events', file);
  else db.exec(eventsTableSchema);

  const selectStream = db.prepare<[string], EventRow>(
    'SELECT * FROM events WHERE stream = ? ORDER BY revision',
  );
  const selectCategory = db.prepare<[string, bigint, number], EventRow>(
    'SELECT * FROM events WHERE category = ? AND position > ? ORDER BY position LIMIT ?',
  );
  const selectHead = db
    .prepare<[string], bigint | null>('SELECT max(position) FROM events WHERE category = ?')
    .pluck();
  const writer = readonly
    ? undefined
    : startSqliteWriter({ file, busyTimeoutMs: busyTimeoutMs ?? 5_000 });
  const listeners = createAppendListeners();
  let pending: PendingAppend[] = [];
  /** The batch being committed; the next one gathers meanwhile (group commit, pipelined). */
  let committing: Promise<void> | undefined;

  const commit = async (batch: PendingAppend[]): Promise<void> => {
    if (!writer) return;
    try {
      const outcomes = await writer.commit(
        batch.map(({ streamName, events, expected }) => ({
          streamName,
          // A stream in no category is stored under none: no category name is empty.
          category: categoryOf(streamName) ?? '',
          events,
          expected,
        })),
        clock.now().toISOString(),
      );
      batch.forEach((item, i) => {
        const outcome = outcomes[i];
        if (outcome && 'result' in outcome) item.resolve(outcome.result);
        else
          item.reject(
            new SqliteWriteError(outcome?.error.message ?? 'no outcome', outcome?.error.code),
          );
      });
      if (outcomes.some((o) => 'result' in o && o.result.ok)) listeners.notify();
    } catch (error) {
      batch.forEach((item) => item.reject(error));
    }
  };

  const drain = async (): Promise<void> => {
    while (pending.length > 0) {
      const batch = pending;
      pending = [];
      await commit(batch);
    }
    committing = undefined;
  };

  const scheduleCommit = (): void => {
    // Appends requested in the same turn of the event loop, or while a commit is under way,
    // share the next transaction and its fsync; each caller is answered once it is durable.
    committing ??= new Promise<void>((resolve) => setImmediate(resolve)).then(drain);
  };

  let closed = false;

  return {
    append: (streamName, events, expected) => {
      if (closed) return Promise.reject(new Error('event store is closed'));
      if (readonly) return readOnlyRefusal('event store');
      if (events.length === 0) return Promise.reject(new Error('nothing to append'));
      return new Promise<AppendResult>((resolve, reject) => {
        pending.push({ streamName, events, expected, resolve, reject });
        scheduleCommit();
      });
    },
    readStream: (streamName) => Promise.resolve(selectStream.all(streamName).map(eventOfRow)),
    readCategory: async (category, { after = 0n, limit }: ReadCategoryOptions) =>
      selectCategory.all(checkCategory(category), after, limit).map(eventOfRow),
    headPosition: async (category) => selectHead.get(checkCategory(category)) ?? undefined,
    onAppended: listeners.add,
    health: () => sqliteHealth(db),
    close: async () => {
      closed = true;
      await committing;
      await writer?.close();
      db.close();
    },
  };
};
