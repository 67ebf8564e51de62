import type { RecordedEvent } from '../../application/ports/eventStore.js';
import type {
  OrderGroup,
  RefundLogByOrder,
  StrayEvent,
  StreamEvents,
} from '../../application/ports/refundLogByOrder.js';
import type { SqliteDatabase } from './openSqliteDatabase.js';
import { parseJsonObject } from './json.js';
import { eventOfRow, type EventRow } from './sqliteEventStore.js';
import {
  firstEvents,
  inPositionOrder,
  named,
  refundOfStream,
  type GroupRow,
} from './refundLogSql.js';

/**
 * The refund log of an SQLite database with the event store's `events` table (the store's own
 * file, read-only, or a copy: copiedRefundLog), grouped by order in SQL. When opened it notes
 * every stream with events up to head and the order its first event names, in a temporary
 * table in group order (on disk: SQLite's temporary files, not the heap); groups are then read
 * page by page, each a few hundred streams joined with their events through the log's
 * (stream, revision) index. The strays, which the service never writes, take a scan of every
 * event's JSON, and only when asked for.
 */
export const sqliteRefundLogByOrder = (
  db: SqliteDatabase,
  head: bigint | undefined,
  { pageSize = 1000, onClose }: { pageSize?: number; onClose?: () => void } = {},
): RefundLogByOrder => {
  const upTo = head ?? -1n;
  db.exec('DROP TABLE IF EXISTS temp.audit_streams');
  db.exec(
    'CREATE TEMP TABLE audit_streams (seq INTEGER PRIMARY KEY, stream TEXT NOT NULL, order_key TEXT)',
  );
  // Each stream's first event names its order.
  db.prepare(
    `INSERT INTO audit_streams (stream, order_key)
     SELECT f.stream, ${named('outTradeNo')} AS order_key
     FROM (${firstEvents}) f JOIN events e ON e.position = f.position
     ORDER BY order_key, f.stream`,
  ).run({ head: upTo });
  const events = Number(
    db
      .prepare<[bigint], bigint>(
        "SELECT count(*) FROM events WHERE category = 'refund' AND position <= ?",
      )
      .pluck()
      .get(upTo) ?? 0n,
  );
  const streamsPerPage = Math.max(1, Math.floor(pageSize / 3));

  // Rows as arrays (no object per row), each stream's in the index's order: by revision, which
  // is position order in any log the store wrote; `inPositionOrder` sorts the others.
  const groupPage = db
    .prepare<[bigint, bigint, bigint], GroupRow>(
      `SELECT s.order_key, e.position, e.id, e.stream, e.revision, e.type, e.data, e.metadata, e.recorded_at
       FROM audit_streams s JOIN events e ON e.stream = s.stream
       WHERE s.seq > ? AND s.seq <= ? AND e.position <= ? ORDER BY s.seq, e.revision`,
    )
    .raw(true);
  const lastSeq = db.prepare<[], bigint | null>('SELECT max(seq) FROM audit_streams').pluck();

  const groups = async function* (): AsyncGenerator<OrderGroup> {
    const last = lastSeq.get() ?? 0n;
    let group: OrderGroup | undefined;
    let stream: StreamEvents | undefined;
    for (let from = 0n; from < last; from += BigInt(streamsPerPage)) {
      const rows = groupPage.all(from, from + BigInt(streamsPerPage), upTo);
      for (const [
        order,
        position,
        id,
        streamName,
        revision,
        type,
        data,
        metadata,
        recordedAt,
      ] of rows) {
        if (!group || group.order !== order) {
          if (group) yield inPositionOrder(group);
          group = { order, streams: [] };
          stream = undefined;
        }
        if (stream?.streamName !== streamName) {
          stream = { streamName, events: [] };
          group.streams.push(stream);
        }
        stream.events.push({
          id,
          streamName,
          type,
          revision,
          position,
          recordedAt,
          data: parseJsonObject(data, `data of event ${position}`),
          metadata: parseJsonObject(metadata, `metadata of event ${position}`),
        });
      }
    }
    if (group) yield inPositionOrder(group);
  };

  // One lower bound, or SQLite seeks to the first of them and scans from there each page.
  const refundKeys = (lowerBound: string) =>
    db
      .prepare<[{ head: bigint; after?: string; limit: number }], string>(
        `SELECT stream FROM events WHERE ${lowerBound} AND stream < 'refund.' AND position <= @head
         GROUP BY stream ORDER BY stream LIMIT @limit`,
      )
      .pluck();
  const firstRefundKeys = refundKeys(`stream >= 'refund-'`);
  const nextRefundKeys = refundKeys('stream > @after');
  const orderKeys = db.prepare<[bigint, number], { seq: bigint; order_key: string }>(
    'SELECT seq, order_key FROM audit_streams WHERE seq > ? AND order_key IS NOT NULL ORDER BY seq LIMIT ?',
  );
  const keys = async function* (kind: 'refunds' | 'orders'): AsyncGenerator<string[]> {
    if (kind === 'refunds') {
      for (let after: string | undefined; ;) {
        const streams =
          after === undefined
            ? firstRefundKeys.all({ head: upTo, limit: pageSize })
            : nextRefundKeys.all({ head: upTo, after, limit: pageSize });
        if (streams.length === 0) return;
        yield streams.map((stream) => stream.slice('refund-'.length));
        after = streams.at(-1)!;
      }
    }
    let previous: string | undefined;
    for (let after = 0n; ;) {
      const rows = orderKeys.all(after, pageSize);
      if (rows.length === 0) return;
      const orders: string[] = [];
      for (const { order_key: order } of rows) {
        if (order !== previous) orders.push(order);
        previous = order;
      }
      yield orders;
      after = rows.at(-1)!.seq;
    }
  };

  const strays = async function* (): AsyncGenerator<StrayEvent[]> {
    db.exec('CREATE INDEX IF NOT EXISTS temp.audit_streams_by_stream ON audit_streams (stream)');
    const strayPage = db.prepare<[bigint, bigint, number], EventRow & { order_key: string | null }>(
      `SELECT s.order_key, e.* FROM events e JOIN audit_streams s ON s.stream = e.stream
       WHERE e.category = 'refund' AND e.position > ? AND e.position <= ?
         AND (${named('outTradeNo')} IS NOT s.order_key OR ${named('outRefundNo')} IS NOT ${refundOfStream})
       ORDER BY e.position LIMIT ?`,
    );
    for (let after = -1n; ;) {
      const rows = strayPage.all(after, upTo, pageSize);
      if (rows.length === 0) return;
      yield rows.map((row) => ({ event: eventOfRow(row), order: row.order_key }));
      after = rows.at(-1)!.position;
    }
  };

  const streamsNaming: RefundLogByOrder['streamsNaming'] = async ({ orders, refunds }) => {
    db.exec('DROP TABLE IF EXISTS temp.audit_named');
    db.exec('CREATE TEMP TABLE audit_named (kind TEXT NOT NULL, name TEXT NOT NULL)');
    const insert = db.prepare<[string, string]>('INSERT INTO audit_named VALUES (?, ?)');
    db.transaction(() => {
      for (const order of orders) insert.run('order', order);
      for (const refund of refunds) insert.run('refund', refund);
    })();
    const rows = db
      .prepare<[bigint, bigint], EventRow>(
        `SELECT * FROM events WHERE position <= ? AND stream IN (
           SELECT e.stream FROM events e WHERE e.category = 'refund' AND e.position <= ? AND (
             ${named('outTradeNo')} IN (SELECT name FROM audit_named WHERE kind = 'order')
             OR ${named('outRefundNo')} IN (SELECT name FROM audit_named WHERE kind = 'refund'))
           UNION SELECT 'refund-' || name FROM audit_named WHERE kind = 'refund')
         ORDER BY stream, position`,
      )
      .all(upTo, upTo);
    const streams: StreamEvents[] = [];
    for (const row of rows) {
      const recorded: RecordedEvent = eventOfRow(row);
      const current = streams.at(-1);
      if (current?.streamName === row.stream) current.events.push(recorded);
      else streams.push({ streamName: row.stream, events: [recorded] });
    }
    return streams;
  };

  return {
    head,
    events,
    groups,
    keys,
    strays,
    streamsNaming,
    close: async () => {
      db.exec('DROP TABLE IF EXISTS temp.audit_streams');
      db.exec('DROP TABLE IF EXISTS temp.audit_named');
      onClose?.();
    },
  };
};
