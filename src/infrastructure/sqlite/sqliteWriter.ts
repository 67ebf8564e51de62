import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type {
  AppendResult,
  EventToAppend,
  ExpectedRevision,
} from '../../application/ports/eventStore.js';

export type WriterAppend = {
  streamName: string;
  category: string;
  events: readonly EventToAppend[];
  expected: ExpectedRevision;
};

export type WriterOutcome =
  { result: AppendResult } | { error: { message: string; code?: string } };

export class SqliteWriteError extends Error {
  override readonly name = 'SqliteWriteError';

  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
  }
}

/*
 * The writer runs in a worker thread: better-sqlite3 is synchronous, and a durable commit
 * (synchronous=FULL) waits for fsync. On the main thread that wait would stall every request;
 * here the main thread keeps serving, and gathers the next batch, while the disk syncs.
 * CommonJS source, evaluated in the worker: it needs no build step and loads the same
 * better-sqlite3 the main thread uses.
 */
const workerSource = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.sqlitePath);
const db = new Database(workerData.file);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = FULL');
db.pragma('busy_timeout = ' + workerData.busyTimeoutMs);
db.defaultSafeIntegers(true);
const streamRevision = db.prepare('SELECT max(revision) FROM events WHERE stream = ?').pluck();
const insert = db.prepare(
  'INSERT INTO events (id, stream, category, revision, type, data, metadata, recorded_at) ' +
  'VALUES (@id, @stream, @category, @revision, @type, @data, @metadata, @recordedAt)');
const appendOne = db.transaction((item, recordedAt) => {
  const found = streamRevision.get(item.streamName);
  const current = found === null ? undefined : found;
  const matches = item.expected === 'no_stream' ? current === undefined : current === item.expected;
  if (!matches) return { ok: false, reason: 'conflict', actualRevision: current === undefined ? 'no_stream' : current };
  let revision = current === undefined ? -1n : current;
  let position = 0n;
  for (const event of item.events) {
    revision += 1n;
    const info = insert.run({
      id: event.id, stream: item.streamName, category: item.category, revision, type: event.type,
      data: JSON.stringify(event.data), metadata: JSON.stringify(event.metadata), recordedAt,
    });
    position = BigInt(info.lastInsertRowid);
  }
  return { ok: true, nextExpectedRevision: revision, position };
});
// Each append is a savepoint in the batch's transaction: one that fails (a duplicate event id)
// is rolled back alone. IMMEDIATE takes the write lock first, so no other process can write
// between a revision check and its insert.
const commitBatch = db.transaction((batch, recordedAt) => batch.map((item) => {
  try { return { result: appendOne(item, recordedAt) }; }
  catch (error) { return { error: { message: String(error && error.message), code: error && error.code } }; }
}));
parentPort.on('message', (message) => {
  if (message.close) { db.close(); parentPort.postMessage({ id: message.id, closed: true }); return; }
  try {
    parentPort.postMessage({ id: message.id, outcomes: commitBatch.immediate(message.batch, message.recordedAt) });
  } catch (error) {
    parentPort.postMessage({ id: message.id, error: { message: String(error && error.message), code: error && error.code } });
  }
});
`;

type Reply =
  | { id: number; outcomes: WriterOutcome[] }
  | { id: number; error: { message: string; code?: string } }
  | { id: number; closed: true };

/** The event log's one writing connection, in a worker thread. Commits answer once durable. */
export const startSqliteWriter = ({
  file,
  busyTimeoutMs,
}: {
  file: string;
  busyTimeoutMs: number;
}) => {
  const worker = new Worker(workerSource, {
    eval: true,
    workerData: {
      file,
      busyTimeoutMs,
      sqlitePath: createRequire(import.meta.url).resolve('better-sqlite3'),
    },
  });
  // Only work in flight keeps the process alive, as a main-thread write would.
  worker.unref();
  const waiting = new Map<
    number,
    { resolve: (reply: Reply) => void; reject: (error: Error) => void }
  >();
  let nextId = 0;
  let failed: Error | undefined;

  const fail = (error: Error) => {
    failed = error;
    for (const { reject } of waiting.values()) reject(error);
    waiting.clear();
  };
  worker.on('message', (reply: Reply) => {
    const waiter = waiting.get(reply.id);
    waiting.delete(reply.id);
    if (waiting.size === 0) worker.unref();
    waiter?.resolve(reply);
  });
  worker.on('error', (error) => fail(error));
  worker.on('exit', (code) => fail(new Error(`the SQLite writer stopped (exit code ${code})`)));

  const send = (message: object): Promise<Reply> => {
    if (failed) return Promise.reject(failed);
    const id = nextId++;
    worker.ref();
    return new Promise<Reply>((resolve, reject) => {
      waiting.set(id, { resolve, reject });
      worker.postMessage({ ...message, id });
    });
  };

  return {
    commit: async (
      batch: readonly WriterAppend[],
      recordedAt: string,
    ): Promise<WriterOutcome[]> => {
      const reply = await send({ batch, recordedAt });
      if ('outcomes' in reply) return reply.outcomes;
      if ('error' in reply) throw new SqliteWriteError(reply.error.message, reply.error.code);
      throw new Error('unexpected answer from the SQLite writer');
    },
    close: async (): Promise<void> => {
      if (!failed) await send({ close: true });
      failed ??= new Error('the SQLite writer is closed');
      await worker.terminate();
    },
  };
};
