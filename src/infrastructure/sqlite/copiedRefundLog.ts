import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { EventStore } from '../../application/ports/eventStore.js';
import type { RefundLogByOrder } from '../../application/ports/refundLogByOrder.js';
import { readCategoryUpTo } from '../../application/readCategoryUpTo.js';
import { refundCategory } from '../../application/refundEventCodec.js';
import { categoryOf } from '../stores/streamCategory.js';
import { openSqliteDatabase } from './openSqliteDatabase.js';
import { eventsTableSchema } from './sqliteEventStore.js';
import { sqliteRefundLogByOrder } from './sqliteRefundLogByOrder.js';

/**
 * The refund log of any event store grouped by order through an external sort: its refund
 * category up to head is copied, page by page, into an SQLite file of the embedded store's
 * shape in a temporary directory, which sqliteRefundLogByOrder then groups. For stores that
 * cannot order by stream themselves (EventStoreDB). The copy takes about as much disk as the
 * log's refund events, and is removed on close.
 */
export const copiedRefundLog = async (
  events: EventStore,
  head: bigint | undefined,
  { pageSize = 1000, tempDir = os.tmpdir() }: { pageSize?: number; tempDir?: string } = {},
): Promise<RefundLogByOrder> => {
  const dir = mkdtempSync(path.join(tempDir, 'refunds-audit-'));
  const remove = () => rmSync(dir, { recursive: true, force: true });
  try {
    // A scratch copy: losing it to a crash loses nothing, so no sync to disk.
    const db = openSqliteDatabase(path.join(dir, 'events.db'), { synchronous: 'NORMAL' });
    db.pragma('synchronous = OFF');
    db.exec(eventsTableSchema);
    const insert = db.prepare(
      `INSERT INTO events (position, id, stream, category, revision, type, data, metadata, recorded_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const insertPage = db.transaction((page: Awaited<ReturnType<EventStore['readCategory']>>) => {
      for (const e of page) {
        const category = categoryOf(e.streamName) ?? '';
        const [data, metadata] = [JSON.stringify(e.data), JSON.stringify(e.metadata)];
        insert.run(
          e.position,
          e.id,
          e.streamName,
          category,
          e.revision,
          e.type,
          data,
          metadata,
          e.recordedAt,
        );
      }
    });
    try {
      for await (const page of readCategoryUpTo(events, refundCategory, { head, pageSize })) {
        insertPage(page);
      }
      return sqliteRefundLogByOrder(db, head, {
        pageSize,
        onClose: () => {
          db.close();
          remove();
        },
      });
    } catch (error) {
      db.close();
      throw error;
    }
  } catch (error) {
    remove();
    throw error;
  }
};
