import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EventStore } from '../../src/application/ports/eventStore.js';
import { refundCategory } from '../../src/application/refundEventCodec.js';
import { createAudit } from '../../src/audit/createAudit.js';
import { runAudit } from '../../src/audit/runAudit.js';
import { copiedRefundLog } from '../../src/infrastructure/sqlite/copiedRefundLog.js';
import { openSqliteDatabase } from '../../src/infrastructure/sqlite/openSqliteDatabase.js';
import { sqliteRefundLogByOrder } from '../../src/infrastructure/sqlite/sqliteRefundLogByOrder.js';
import {
  refundAccepted,
  refundFailed,
  refundRequested,
  refundSucceeded,
} from '../domain/refund/refundFixtures.js';
import { editReadModel, projectedLog, type ProjectedLog } from '../support/projectedLog.js';
import { appendUnchecked } from '../support/appendUnchecked.js';
import { makeTempDir, type TempDir } from '../support/fixtures.js';

const now = new Date('2026-11-01T09:00:00.000Z');

const append = appendUnchecked;

/**
 * Events of other orders and refunds than their streams' (strays), a stream that starts without
 * a request, one whose first event names its order as a number, an order refunded beyond its
 * total and one with too many refunds: everything that crosses from one group to another.
 */
const appendAnomalies = async (events: EventStore) => {
  const x = (outRefundNo: string, outTradeNo: string) => ({ outRefundNo, outTradeNo });
  await append(events, 'refund-R5', 'RefundAccepted', { ...refundAccepted(x('R5', 'T999')).data });
  await append(events, 'refund-R8', 'RefundSucceeded', { ...refundSucceeded(x('R9', 'T1')).data });
  await append(events, 'refund-X1', 'RefundAccepted', { ...refundAccepted(x('X1', 'T3')).data });
  await append(events, 'refund-X1', 'RefundRequested', { ...refundRequested(x('X1', 'T4')).data });
  await append(events, 'refund-Y1', 'RefundRequested', {
    ...refundRequested(x('Y1', 'T6')).data,
    outTradeNo: 42,
  });
  await append(events, 'refund-Y1', 'RefundRequested', { ...refundRequested(x('Y1', 'T6')).data });
  await append(events, 'refund-Y1', 'RefundSucceeded', { ...refundSucceeded(x('Y1', 'T6')).data });
  for (const r of ['Z1', 'Z2']) {
    const terms = { ...x(r, 'ZT'), totalFee: 100, refundFee: 60 };
    await append(events, `refund-${r}`, 'RefundRequested', { ...refundRequested(terms).data });
    await append(events, `refund-${r}`, 'RefundSucceeded', { ...refundSucceeded(terms).data });
  }
  for (let n = 0; n < 52; n++) {
    const terms = { ...x(`ZZ${n}`, 'ZZT'), totalFee: n === 3 ? 9999 : 10_000, refundFee: 1 };
    await append(events, `refund-ZZ${n}`, 'RefundRequested', { ...refundRequested(terms).data });
  }
  await append(events, 'refund-R11', 'RefundFailed', {
    ...refundFailed('settlement', 'REFUNDCLOSE', x('R11', 'T9')).data,
  });
};

describe('the audit of a log read one order at a time', () => {
  let temp: TempDir;
  let log: ProjectedLog;
  beforeEach(async () => {
    temp = makeTempDir();
    log = await projectedLog(temp.dir, 300);
    await appendAnomalies(log.events);
    await log.project();
    // The generations the rebuild made: the highest of each.
    const db = openSqliteDatabase(path.join(temp.dir, 'read.db'), { readonly: true });
    const table = (name: string) =>
      db
        .prepare<[string], string>(
          "SELECT name FROM sqlite_master WHERE type = 'table' AND name GLOB ? ORDER BY length(name) DESC, name DESC",
        )
        .pluck()
        .get(`doc_${name}_g*`);
    const [views, ledgers] = [table('refund_view'), table('order_ledger')];
    db.close();
    const edits = [
      `UPDATE ${views} SET body = json_set(body, '$.status', 'SUCCEEDED') WHERE id IN ('R100', 'R2')`,
      `DELETE FROM ${views} WHERE id IN ('R30', 'R31')`,
      `UPDATE ${views} SET body = NULL WHERE id = 'R40'`,
      `INSERT INTO ${views} (id, position, body) SELECT 'R0-ghost', 5, body FROM ${views} WHERE id = 'R1'`,
      `DELETE FROM ${ledgers} WHERE id IN ('ZT', (SELECT id FROM ${ledgers} ORDER BY id LIMIT 1 OFFSET 10))`,
      `UPDATE ${ledgers} SET body = json_set(body, '$.refundedFee', 1) WHERE id = (SELECT id FROM ${ledgers} ORDER BY id LIMIT 1 OFFSET 20)`,
    ];
    for (const sql of edits) expect(editReadModel(temp.dir, sql)).toBeGreaterThan(0);
  });
  afterEach(async () => {
    await log.close();
    temp.remove();
  });

  const inSqlite = async (head: bigint | undefined) => {
    const db = openSqliteDatabase(path.join(temp.dir, 'events.db'), { readonly: true });
    return sqliteRefundLogByOrder(db, head, { pageSize: 10, onClose: () => db.close() });
  };
  const audit = (options: Partial<Parameters<typeof runAudit>[0]> = {}) =>
    runAudit({
      events: log.events,
      documents: log.documents,
      now,
      staleAfterSeconds: 600,
      ...options,
    });

  it('given strays and read models edited by hand, then grouped in SQL, copied, or in memory, the report is the same, with every finding', async () => {
    const sql = await audit({ openLog: inSqlite });
    const copied = await audit({
      openLog: (head) => copiedRefundLog(log.events, head, { tempDir: temp.dir }),
    });
    const inMemory = await audit();

    expect(sql).toEqual(inMemory);
    expect(copied).toEqual(inMemory);
    expect(sql.anomalies.byKind.map(({ kind }) => kind)).toEqual([
      'CORRUPT_EVENT',
      'NOT_STARTED_BY_REQUEST',
      'STREAM_MISMATCH',
      'ILLEGAL_TRANSITION',
      'AMOUNT_CHANGED',
      'TERMS_CHANGED',
      'ORDER_OVER_REFUNDED',
      'ORDER_TOO_MANY_REFUNDS',
      'ORDER_TOTAL_FEE_MISMATCH',
      'READ_MODEL_MISSING',
      'READ_MODEL_EXTRA',
      'READ_MODEL_DIFFERS',
    ]);
    const documents = sql.anomalies.listed.flatMap(({ kind, details }) => {
      const id = details?.['documentId'];
      return typeof id === 'string' ? [`${kind} ${id}`] : [];
    });
    expect(documents).toEqual(
      expect.arrayContaining([
        'READ_MODEL_MISSING R30',
        'READ_MODEL_MISSING R31',
        'READ_MODEL_MISSING R40',
        'READ_MODEL_MISSING ZT',
        'READ_MODEL_EXTRA R0-ghost',
      ]),
    );
  });

  it('given strays, then the log’s findings are those of one fold over the whole log, in its order, also when the list is cut', async () => {
    for (const maxAnomalies of [10_000, 3]) {
      const grouped = await audit({ openLog: inSqlite, documents: undefined, maxAnomalies });

      const whole = createAudit({ now, staleAfterSeconds: 600, maxAnomalies });
      const head = await log.events.headPosition(refundCategory);
      for (const event of await log.events.readCategory(refundCategory, { limit: 100_000 })) {
        whole.add(event);
      }
      expect(grouped).toEqual(whole.finish({ head, readModelChecks: grouped.readModels }));
    }
  });
});
