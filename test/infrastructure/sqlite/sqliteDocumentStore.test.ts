import path from 'node:path';
import { createSqliteDocumentStore } from '../../../src/infrastructure/sqlite/sqliteDocumentStore.js';
import { documentStoreContract } from '../../application/ports/documentStoreContract.js';
import { makeTempDir } from '../../support/fixtures.js';

documentStoreContract('embedded SQLite', () => {
  const temp = makeTempDir();
  const file = path.join(temp.dir, 'read.db');
  return Promise.resolve({
    open: () => Promise.resolve(createSqliteDocumentStore({ file })),
    cleanup: () => Promise.resolve(temp.remove()),
  });
});
