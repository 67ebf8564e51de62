import type { Worker } from 'node:worker_threads';
import { startModuleWorker } from '../startModuleWorker.js';
import type {
  WriterAppend,
  WriterData,
  WriterOutcome,
  WriterReply,
  WriterRequest,
} from './sqliteWriterWorker.js';

export class SqliteWriteError extends Error {
  override readonly name = 'SqliteWriteError';

  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
  }
}

/** The writer's module runs in a worker thread (sqliteWriterWorker says why). */
const startWorker = (workerData: WriterData): Worker =>
  startModuleWorker(import.meta.url, 'sqliteWriterWorker', workerData);

/** The event log's one writing connection, in a worker thread. Commits answer once durable. */
export const startSqliteWriter = (data: WriterData) => {
  const worker = startWorker(data);
  // Only work in flight keeps the process alive, as a main-thread write would.
  worker.unref();
  const waiting = new Map<
    number,
    { resolve: (reply: WriterReply) => void; reject: (error: Error) => void }
  >();
  let nextId = 0;
  let failed: Error | undefined;

  const fail = (error: Error) => {
    failed = error;
    for (const { reject } of waiting.values()) reject(error);
    waiting.clear();
  };
  worker.on('message', (reply: WriterReply) => {
    const waiter = waiting.get(reply.id);
    waiting.delete(reply.id);
    if (waiting.size === 0) worker.unref();
    waiter?.resolve(reply);
  });
  worker.on('error', (error) => fail(error));
  worker.on('exit', (code) => fail(new Error(`the SQLite writer stopped (exit code ${code})`)));

  const send = (request: (id: number) => WriterRequest): Promise<WriterReply> => {
    if (failed) return Promise.reject(failed);
    const id = nextId++;
    worker.ref();
    return new Promise<WriterReply>((resolve, reject) => {
      waiting.set(id, { resolve, reject });
      worker.postMessage(request(id));
    });
  };

  return {
    commit: async (
      batch: readonly WriterAppend[],
      recordedAt: string,
    ): Promise<WriterOutcome[]> => {
      const reply = await send((id) => ({ id, batch, recordedAt }));
      if ('outcomes' in reply) return reply.outcomes;
      if ('error' in reply) throw new SqliteWriteError(reply.error.message, reply.error.code);
      throw new Error('unexpected answer from the SQLite writer');
    },
    close: async (): Promise<void> => {
      if (!failed) await send((id) => ({ id, close: true }));
      failed ??= new Error('the SQLite writer is closed');
      await worker.terminate();
    },
  };
};
