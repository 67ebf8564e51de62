import type { StoreHealth } from '../../application/ports/storeHealth.js';
import type { SqliteDatabase } from './openSqliteDatabase.js';
import { errorMessage } from '../../application/errorMessage.js';

/** An embedded database is healthy while it is open and answers a trivial query. */
export const sqliteHealth = (db: SqliteDatabase): Promise<StoreHealth> => {
  if (!db.open) return Promise.resolve({ ok: false, reason: 'closed' });
  try {
    db.prepare('SELECT 1').get();
    return Promise.resolve({ ok: true });
  } catch (error) {
    return Promise.resolve({
      ok: false,
      reason: errorMessage(error),
    });
  }
};
