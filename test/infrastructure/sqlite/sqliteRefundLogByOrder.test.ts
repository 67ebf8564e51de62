import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { copiedRefundLog } from '../../../src/infrastructure/sqlite/copiedRefundLog.js';
import { openSqliteDatabase } from '../../../src/infrastructure/sqlite/openSqliteDatabase.js';
import { createSqliteEventStore } from '../../../src/infrastructure/sqlite/sqliteEventStore.js';
import { sqliteRefundLogByOrder } from '../../../src/infrastructure/sqlite/sqliteRefundLogByOrder.js';
import { writeRandomRefunds } from '../../../bench/support/randomRefunds.js';
import { refundLogByOrderContract } from '../../application/ports/refundLogByOrderContract.js';
import { makeTempDir } from '../../support/fixtures.js';

refundLogByOrderContract('SQLite, read-only', async (_events, dir, head, options) => {
  const db = openSqliteDatabase(path.join(dir, 'events.db'), { readonly: true });
  return sqliteRefundLogByOrder(db, head, { ...options, onClose: () => db.close() });
});

refundLogByOrderContract('copied into SQLite (an external sort)', (events, dir, head, options) =>
  copiedRefundLog(events, head, { ...options, tempDir: dir }),
);

describe('the copied refund log', () => {
  it('given it is closed, then its temporary copy is gone', async () => {
    const temp = makeTempDir();
    const events = createSqliteEventStore({ file: path.join(temp.dir, 'events.db') });
    try {
      await writeRandomRefunds(events, 20);
      const log = await copiedRefundLog(events, await events.headPosition('refund'), {
        tempDir: temp.dir,
      });
      const copies = () =>
        readdirSync(temp.dir).filter((name) => name.startsWith('refunds-audit-'));
      expect(copies()).toHaveLength(1);

      await log.close();

      expect(copies()).toEqual([]);
    } finally {
      await events.close();
      temp.remove();
    }
  });
});
