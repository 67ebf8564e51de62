import path from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import type { DocumentStore } from '../../src/application/ports/documentStore.js';
import type { EventStore } from '../../src/application/ports/eventStore.js';
import { createSqliteDocumentStore } from '../../src/infrastructure/sqlite/sqliteDocumentStore.js';
import { createSqliteEventStore } from '../../src/infrastructure/sqlite/sqliteEventStore.js';
import { makeTempDir } from './tempDir.js';

/**
 * The embedded stores, fresh in a temp dir for each test of the describe block that calls this,
 * closed and removed after it: `const stores = sqliteStoresPerTest();`, then `stores.events`.
 */
export const sqliteStoresPerTest = () => {
  let current:
    | { temp: ReturnType<typeof makeTempDir>; events: EventStore; documents: DocumentStore }
    | undefined;
  beforeEach(() => {
    const temp = makeTempDir();
    current = {
      temp,
      events: createSqliteEventStore({ file: path.join(temp.dir, 'events.db') }),
      documents: createSqliteDocumentStore({ file: path.join(temp.dir, 'read.db') }),
    };
  });
  afterEach(async () => {
    await current?.documents.close();
    await current?.events.close();
    current?.temp.remove();
    current = undefined;
  });
  const opened = () => {
    if (!current) throw new Error('the stores are open only within a test');
    return current;
  };
  return {
    get events(): EventStore {
      return opened().events;
    },
    get documents(): DocumentStore {
      return opened().documents;
    },
  };
};
