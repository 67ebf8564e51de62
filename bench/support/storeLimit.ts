import { randomUUID } from 'node:crypto';
import path from 'node:path';
import Database from 'better-sqlite3';
import { createSqliteEventStore } from '../../src/infrastructure/sqlite/sqliteEventStore.js';

const metadata = { correlationId: 'bench', causationId: 'bench', source: 'cli', schemaVersion: 1 };
const event = (n: number) => ({
  id: randomUUID(),
  type: 'RefundRequested',
  data: {
    outRefundNo: `R${n}`,
    outTradeNo: `T${n}`,
    totalFee: 100,
    refundFee: 100,
    requestedAt: new Date().toISOString(),
    attempt: 1,
    origin: 'api',
  },
  metadata,
});

const rate = (count: number, started: bigint) =>
  count / (Number(process.hrtime.bigint() - started) / 1e9);

/**
 * Durable appends (synchronous=FULL) through the event store: one append per transaction, each
 * awaited before the next; and appends from 64 concurrent writers, which group commit shares
 * among transactions. Also a bare better-sqlite3 insert, one row per transaction, for reference.
 */
export const measureStoreLimit = async (dir: string, seconds = 3) => {
  const store = createSqliteEventStore({ file: path.join(dir, 'limit.db') });
  let n = 0;
  let started = process.hrtime.bigint();
  const until = (s: number) => Date.now() + s * 1000;
  for (const end = until(seconds); Date.now() < end;) {
    await store.append(`one-${n}`, [event(n)], 'no_stream');
    n += 1;
  }
  const onePerTransaction = rate(n, started);

  let m = 0;
  started = process.hrtime.bigint();
  const end = until(seconds);
  await Promise.all(
    Array.from({ length: 64 }, async () => {
      while (Date.now() < end) {
        const i = m++;
        await store.append(`group-${i}`, [event(i)], 'no_stream');
      }
    }),
  );
  const groupCommit = rate(m, started);
  await store.close();

  const db = new Database(path.join(dir, 'raw.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec('CREATE TABLE events (position INTEGER PRIMARY KEY, data TEXT NOT NULL)');
  const insert = db.prepare('INSERT INTO events (data) VALUES (?)');
  const body = JSON.stringify(event(0));
  let k = 0;
  started = process.hrtime.bigint();
  for (const stop = until(seconds); Date.now() < stop; k++) insert.run(body);
  const rawOnePerTransaction = rate(k, started);
  db.close();
  return { onePerTransaction, groupCommit, rawOnePerTransaction };
};
