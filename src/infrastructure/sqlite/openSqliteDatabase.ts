import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

export type SqliteDatabase = Database.Database;

/**
 * Opens a database file in WAL mode, so readers never block the writer. The event log uses
 * synchronous=FULL: a commit is on disk before it is acknowledged (a power cut loses nothing that
 * was answered). Read models, rebuildable from the log, may use NORMAL. Integers come back as
 * bigint: positions and revisions are 64-bit.
 *
 * `readonly` is for the audit commands, which run beside the service on its files: the file must
 * exist (an audit of the wrong directory must not leave an empty store behind), and nothing is
 * written, not even the journal mode (the service set WAL; a WAL reader never blocks its writer).
 */
export const openSqliteDatabase = (
  file: string,
  {
    busyTimeoutMs = 5_000,
    synchronous = 'FULL',
    readonly = false,
  }: { busyTimeoutMs?: number; synchronous?: 'FULL' | 'NORMAL'; readonly?: boolean } = {},
): SqliteDatabase => {
  if (readonly) {
    const db = new Database(file, { readonly: true, fileMustExist: true });
    db.pragma(`busy_timeout = ${busyTimeoutMs}`);
    db.defaultSafeIntegers(true);
    return db;
  }
  if (file !== ':memory:') mkdirSync(path.dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${synchronous}`);
  db.pragma(`busy_timeout = ${busyTimeoutMs}`);
  db.defaultSafeIntegers(true);
  return db;
};

/**
 * Fails, closing the database, unless it has the table: a read-only open cannot create it, and an
 * unrelated SQLite file (or one that is no database at all) should say so rather than fail later.
 */
export const requireTable = (db: SqliteDatabase, table: string, file: string): void => {
  try {
    const found = db
      .prepare<[string], unknown>("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?")
      .get(table);
    if (found === undefined) throw new Error(`${file} has no ${table} table`);
  } catch (error) {
    db.close();
    throw error;
  }
};
