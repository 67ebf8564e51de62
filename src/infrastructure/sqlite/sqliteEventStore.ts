import type {
  AppendResult,
  EventStore,
  EventToAppend,
  ExpectedRevision,
  ReadCategoryOptions,
  RecordedEvent,
} from '../../application/ports/eventStore.js';
import { systemClock, type Clock } from '../../application/ports/clock.js';
import { createAppendListeners } from '../appendListeners.js';
import { parseJsonObject } from './json.js';
import { openSqliteDatabase, requireTable } from './openSqliteDatabase.js';
import { sqliteHealth } from './sqliteHealth.js';

const schema = `
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

type Row = {
  position: bigint;
  id: string;
  stream: string;
  revision: bigint;
  type: string;
  data: string;
  metadata: string;
  recorded_at: string;
};

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

export const categoryOf = (streamName: string): string => {
  const dash = streamName.indexOf('-');
  return dash === -1 ? streamName : streamName.slice(0, dash);
};

/**
 * The embedded event log. Appends are group-committed: every append requested in the same turn
 * of the event loop shares one write transaction and one fsync, and each caller is answered only
 * after that commit. Each append still has its own expected-revision check and is atomic (a
 * savepoint), so a conflict in one does not affect the others.
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
  else db.exec(schema);

  const selectStream = db.prepare<[string], Row>(
    'SELECT * FROM events WHERE stream = ? ORDER BY revision',
  );
  const selectCategory = db.prepare<[string, bigint, number], Row>(
    'SELECT * FROM events WHERE category = ? AND position > ? ORDER BY position LIMIT ?',
  );
  const selectHead = db
    .prepare<[string], bigint | null>('SELECT max(position) FROM events WHERE category = ?')
    .pluck();
  const selectStreamRevision = db
    .prepare<[string], bigint | null>('SELECT max(revision) FROM events WHERE stream = ?')
    .pluck();
  const insert = db.prepare(
    `INSERT INTO events (id, stream, category, revision, type, data, metadata, recorded_at)
     VALUES (@id, @stream, @category, @revision, @type, @data, @metadata, @recordedAt)`,
  );

  const appendOne = db.transaction((item: PendingAppend, recordedAt: string): AppendResult => {
    const current = selectStreamRevision.get(item.streamName) ?? undefined;
    const matches =
      item.expected === 'no_stream' ? current === undefined : current === item.expected;
    if (!matches) return { ok: false, reason: 'conflict', actualRevision: current ?? 'no_stream' };

    let revision = current ?? -1n;
    let position = 0n;
    for (const event of item.events) {
      revision += 1n;
      const info = insert.run({
        id: event.id,
        stream: item.streamName,
        category: categoryOf(item.streamName),
        revision,
        type: event.type,
        data: JSON.stringify(event.data),
        metadata: JSON.stringify(event.metadata),
        recordedAt,
      });
      position = BigInt(info.lastInsertRowid);
    }
    return { ok: true, nextExpectedRevision: revision, position };
  });

  type Outcome = { item: PendingAppend } & ({ result: AppendResult } | { error: unknown });

  // appendOne runs as a savepoint inside the batch: an append that throws (say, a duplicate
  // event id) is rolled back alone and only its caller sees the error.
  const commitBatch = db.transaction((batch: PendingAppend[], recordedAt: string) =>
    batch.map((item): Outcome => {
      try {
        return { item, result: appendOne(item, recordedAt) };
      } catch (error) {
        return { item, error };
      }
    }),
  );

  const listeners = createAppendListeners();
  let pending: PendingAppend[] = [];
  let flushing: Promise<void> | undefined;

  const flush = (): void => {
    const batch = pending;
    pending = [];
    try {
      // IMMEDIATE takes the write lock up front, so another process cannot slip in between
      // the revision check and the insert.
      const outcomes = commitBatch.immediate(batch, clock.now().toISOString());
      for (const outcome of outcomes) {
        if ('result' in outcome) outcome.item.resolve(outcome.result);
        else outcome.item.reject(outcome.error);
      }
      if (outcomes.some((o) => 'result' in o && o.result.ok)) listeners.notify();
    } catch (error) {
      batch.forEach((item) => item.reject(error));
    }
  };

  const scheduleFlush = (): void => {
    flushing ??= new Promise<void>((resolve) =>
      setImmediate(() => {
        flushing = undefined;
        flush();
        resolve();
      }),
    );
  };

  const toRecorded = (row: Row): RecordedEvent => ({
    id: row.id,
    streamName: row.stream,
    type: row.type,
    revision: row.revision,
    position: row.position,
    recordedAt: row.recorded_at,
    data: parseJsonObject(row.data, `data of event ${row.position}`),
    metadata: parseJsonObject(row.metadata, `metadata of event ${row.position}`),
  });

  let closed = false;

  return {
    append: (streamName, events, expected) => {
      if (closed) return Promise.reject(new Error('event store is closed'));
      if (readonly) return Promise.reject(new Error('event store is open read-only'));
      if (events.length === 0) return Promise.reject(new Error('nothing to append'));
      return new Promise<AppendResult>((resolve, reject) => {
        pending.push({ streamName, events, expected, resolve, reject });
        scheduleFlush();
      });
    },
    readStream: (streamName) => Promise.resolve(selectStream.all(streamName).map(toRecorded)),
    readCategory: (category, { after = 0n, limit }: ReadCategoryOptions) =>
      Promise.resolve(selectCategory.all(category, after, limit).map(toRecorded)),
    headPosition: (category) => Promise.resolve(selectHead.get(category) ?? undefined),
    onAppended: listeners.add,
    health: () => sqliteHealth(db),
    close: async () => {
      closed = true;
      await flushing;
      db.close();
    },
  };
};
