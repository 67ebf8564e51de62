import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

export type SqliteDatabase = Database.Database;

/**
 * Opens a database file in WAL mode, so readers never block the writer. The event log uses
 * synchronous=FULL: a commit is on disk before it is acknowledged (a power cut loses nothing that
 * was answered). Read models, rebuildable from the log, may use NORMAL. Integers come back as
 * bigint: positions and revisions are 64-bit.
 */
export const openSqliteDatabase = (
  file: string,
  {
    busyTimeoutMs = 5_000,
    synchronous = 'FULL',
  }: { busyTimeoutMs?: number; synchronous?: 'FULL' | 'NORMAL' } = {},
): SqliteDatabase => {
  if (file !== ':memory:') mkdirSync(path.dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${synchronous}`);
  db.pragma(`busy_timeout = ${busyTimeoutMs}`);
  db.defaultSafeIntegers(true);
  return db;
};
