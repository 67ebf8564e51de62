import path from 'node:path';
import Database from 'better-sqlite3';
import { createSqliteEventStore } from '../../../src/infrastructure/sqlite/sqliteEventStore.js';
import { eventStoreContract } from '../../application/ports/eventStoreContract.js';
import { makeTempDir } from '../../support/fixtures.js';

eventStoreContract('embedded SQLite', () => {
  const temp = makeTempDir();
  const file = path.join(temp.dir, 'events.db');
  return Promise.resolve({
    open: () => Promise.resolve(createSqliteEventStore({ file })),
    cleanup: () => Promise.resolve(temp.remove()),
    // Positions are the AUTOINCREMENT row ids: the next one is above sqlite_sequence's.
    advancePositionsBeyond: (position) => {
      const db = new Database(file);
      try {
        db.defaultSafeIntegers(true);
        const moved = db
          .prepare("UPDATE sqlite_sequence SET seq = ? WHERE name = 'events'")
          .run(position).changes;
        if (moved === 0) {
          db.prepare("INSERT INTO sqlite_sequence (name, seq) VALUES ('events', ?)").run(position);
        }
      } finally {
        db.close();
      }
      return Promise.resolve();
    },
  });
});
