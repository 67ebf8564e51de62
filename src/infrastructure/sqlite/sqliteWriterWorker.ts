import { parentPort, workerData } from 'node:worker_threads';
import type {
  AppendResult,
  EventToAppend,
  ExpectedRevision,
} from '../../application/ports/eventStore.js';
import { errorMessage } from '../../application/errorMessage.js';
import { openSqliteDatabase } from './openSqliteDatabase.js';

/*
 * The event log's writing connection, run in a worker thread by sqliteWriter: better-sqlite3 is
 * synchronous, and a durable commit (synchronous=FULL) waits for fsync. On the main thread that
 * wait would stall every request; here the main thread keeps serving, and gathers the next batch,
 * while the disk syncs.
 */

export type WriterAppend = {
  streamName: string;
  category: string;
  events: readonly EventToAppend[];
  expected: ExpectedRevision;
};

export type WriterOutcome =
  { result: AppendResult } | { error: { message: string; code?: string } };

export type WriterRequest =
  { id: number; batch: readonly WriterAppend[]; recordedAt: string } | { id: number; close: true };

export type WriterReply =
  | { id: number; outcomes: WriterOutcome[] }
  | { id: number; error: { message: string; code?: string } }
  | { id: number; closed: true };

export type WriterData = { file: string; busyTimeoutMs: number };

// Checked by hand: zod would double the worker's start-up time, paid by every store opened.
const writerDataOf = (data: unknown): WriterData => {
  if (typeof data === 'object' && data !== null && 'file' in data && 'busyTimeoutMs' in data) {
    const { file, busyTimeoutMs } = data;
    if (typeof file === 'string' && typeof busyTimeoutMs === 'number')
      return { file, busyTimeoutMs };
  }
  throw new Error('the SQLite writer needs workerData { file, busyTimeoutMs }');
};

type Row = { id: string; position: bigint };

const failureOf = (error: unknown): { message: string; code?: string } => {
  const code = typeof error === 'object' && error !== null && 'code' in error ? error.code : '';
  return { message: errorMessage(error), ...(typeof code === 'string' && code && { code }) };
};

const run = (port: NonNullable<typeof parentPort>): void => {
  const { file, busyTimeoutMs } = writerDataOf(workerData);
  const db = openSqliteDatabase(file, { busyTimeoutMs });
  const streamRevision = db
    .prepare<[string], bigint | null>('SELECT max(revision) FROM events WHERE stream = ?')
    .pluck();
  const eventsFrom = db.prepare<[string, bigint, number], Row>(
    'SELECT id, position FROM events WHERE stream = ? AND revision >= ? ORDER BY revision LIMIT ?',
  );
  const insert = db.prepare(
    'INSERT INTO events (id, stream, category, revision, type, data, metadata, recorded_at) ' +
      'VALUES (@id, @stream, @category, @revision, @type, @data, @metadata, @recordedAt)',
  );

  /**
   * A stream that moved past the expected revision may hold this very append already (a retry
   * after a lost answer): when the events right after the expected revision have these ids, in
   * this order, it is acknowledged as it was the first time, as EventStoreDB does. Otherwise it
   * is a conflict.
   */
  const alreadyAppended = (item: WriterAppend, current: bigint): AppendResult => {
    const first = item.expected === 'no_stream' ? 0n : item.expected + 1n;
    const found = eventsFrom.all(item.streamName, first, item.events.length);
    const same =
      found.length === item.events.length && found.every((row, i) => row.id === item.events[i]?.id);
    const last = found.at(-1);
    return same && last
      ? {
          ok: true,
          nextExpectedRevision: first + BigInt(found.length) - 1n,
          position: last.position,
        }
      : { ok: false, reason: 'conflict', actualRevision: current };
  };

  const appendOne = db.transaction((item: WriterAppend, recordedAt: string): AppendResult => {
    const current = streamRevision.get(item.streamName) ?? undefined;
    const matches =
      item.expected === 'no_stream' ? current === undefined : current === item.expected;
    if (!matches) {
      return current === undefined
        ? { ok: false, reason: 'conflict', actualRevision: 'no_stream' }
        : alreadyAppended(item, current);
    }
    let revision = current ?? -1n;
    let position = 0n;
    for (const event of item.events) {
      revision += 1n;
      const info = insert.run({
        id: event.id,
        stream: item.streamName,
        category: item.category,
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

  // Each append is a savepoint in the batch's transaction: one that fails (a duplicate event id)
  // is rolled back alone. IMMEDIATE takes the write lock first, so no other process can write
  // between a revision check and its insert.
  const commitBatch = db.transaction(
    (batch: readonly WriterAppend[], recordedAt: string): WriterOutcome[] =>
      batch.map((item) => {
        try {
          return { result: appendOne(item, recordedAt) };
        } catch (error) {
          return { error: failureOf(error) };
        }
      }),
  );

  port.on('message', (request: WriterRequest) => {
    if ('close' in request) {
      db.close();
      port.postMessage({ id: request.id, closed: true } satisfies WriterReply);
      return;
    }
    let reply: WriterReply;
    try {
      reply = {
        id: request.id,
        outcomes: commitBatch.immediate(request.batch, request.recordedAt),
      };
    } catch (error) {
      reply = { id: request.id, error: failureOf(error) };
    }
    port.postMessage(reply);
  });
};

if (parentPort) run(parentPort);
