import path from 'node:path';
import { createSqliteEventStore } from '../../../src/infrastructure/sqlite/sqliteEventStore.js';
import { eventStoreContract } from '../../application/ports/eventStoreContract.js';
import { makeTempDir } from '../../support/tempDir.js';

eventStoreContract('embedded SQLite', () => {
  const temp = makeTempDir();
  const file = path.join(temp.dir, 'events.db');
  return Promise.resolve({
    open: () => Promise.resolve(createSqliteEventStore({ file })),
    cleanup: () => Promise.resolve(temp.remove()),
  });
});
