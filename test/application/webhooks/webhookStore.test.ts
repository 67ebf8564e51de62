import { createSqliteDocumentStore } from '../../../src/infrastructure/sqlite/sqliteDocumentStore.js';
import { makeTempDir } from '../../support/fixtures.js';
import { webhookStoreContract } from './webhookStoreContract.js';
import path from 'node:path';

webhookStoreContract('embedded SQLite', () => {
  const temp = makeTempDir();
  return Promise.resolve({
    open: () =>
      Promise.resolve(createSqliteDocumentStore({ file: path.join(temp.dir, 'read.db') })),
    cleanup: () => Promise.resolve(temp.remove()),
  });
});
