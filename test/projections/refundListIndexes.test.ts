import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chooseIndex, decodeCursor } from '../../src/application/documentQuery.js';
import type {
  DocumentCollection,
  DocumentQuery,
  DocumentStore,
} from '../../src/application/ports/documentStore.js';
import { createSqliteDocumentStore } from '../../src/infrastructure/sqlite/sqliteDocumentStore.js';
import {
  orderedIndexName,
  sqliteQueryParameters,
  sqliteQuerySql,
} from '../../src/infrastructure/sqlite/sqliteQuery.js';
import type { RefundView } from '../../src/projections/refundView.js';
import { refundViewProjection } from '../../src/projections/refundViewProjection.js';
import { makeTempDir } from '../support/fixtures.js';

const total = 100_000;
const statuses = ['REQUESTED', 'ACCEPTED', 'SUCCEEDED', 'FAILED'] as const;
const codes = ['NOTENOUGH', 'TRADE_OVERDUE', 'REFUNDCLOSE'];

const view = (i: number): RefundView => {
  const status = statuses[i % 4]!;
  return {
    outRefundNo: `R${String(i).padStart(6, '0')}`,
    outTradeNo: `T${i % 20_000}`,
    totalFee: 1000,
    refundFee: 1000,
    status,
    origin: 'api',
    ...(status === 'FAILED' && {
      failure: { stage: 'request', code: codes[i % 3]!, message: 'x' },
    }),
    attempt: 1,
    // 1,000 distinct instants: ties everywhere, so the tie order is exercised too.
    requestedAt: new Date(Date.UTC(2026, 10, 1) + (i % 1000) * 60_000).toISOString(),
    updatedAt: '2026-11-28T00:00:00.000Z',
    version: 1,
  };
};

/**
 * The refund list over 100,000 refund views on SQLite: every filter of GET /v1/refunds is answered
 * from an index (a SEARCH, not a SCAN of the table) and in index order (no sort of the rows), and
 * the pages are those a full sort would give.
 */
describe('refund list indexes on 100,000 refunds (SQLite)', () => {
  const temp = makeTempDir();
  const file = path.join(temp.dir, 'read.db');
  let store: DocumentStore;
  let views: DocumentCollection<RefundView>;
  const all = Array.from({ length: total }, (_, i) => view(i));
  const table = 'doc_refund_view_g1';

  beforeAll(async () => {
    store = createSqliteDocumentStore({ file });
    views = await store.collection('refund_view_g1', {
      decode: refundViewProjection.decode,
      indexes: refundViewProjection.indexes,
      orderedIndexes: refundViewProjection.orderedIndexes ?? [],
    });
    await views.writeMany(all.map((body) => ({ id: body.outRefundNo, body, position: 1n })));
  }, 120_000);
  afterAll(async () => {
    await store.close();
    temp.remove();
  });

  const planOf = (query: DocumentQuery): string => {
    const index = chooseIndex('refund_view', refundViewProjection.orderedIndexes ?? [], query);
    const sql = sqliteQuerySql(table, orderedIndexName(table, index), query);
    const db = new Database(file, { readonly: true });
    try {
      const cursor = query.after === undefined ? undefined : decodeCursor(query.after);
      const rows = db
        .prepare<unknown[], { detail: string }>(`EXPLAIN QUERY PLAN ${sql}`)
        .all(...sqliteQueryParameters(query, cursor));
      return rows.map((row) => row.detail).join('\n');
    } finally {
      db.close();
    }
  };

  const newestFirst = (a: RefundView, b: RefundView) =>
    b.requestedAt.localeCompare(a.requestedAt) || a.outRefundNo.localeCompare(b.outRefundNo);

  const filters: [string, Partial<DocumentQuery>, (v: RefundView) => boolean][] = [
    ['status', { where: { status: 'FAILED' } }, (v) => v.status === 'FAILED'],
    [
      'failureCode',
      { where: { 'failure.code': 'NOTENOUGH' } },
      (v) => v.failure?.code === 'NOTENOUGH',
    ],
    [
      'status and failureCode',
      { where: { status: 'FAILED', 'failure.code': 'TRADE_OVERDUE' } },
      (v) => v.status === 'FAILED' && v.failure?.code === 'TRADE_OVERDUE',
    ],
    ['outTradeNo', { where: { outTradeNo: 'T77' } }, (v) => v.outTradeNo === 'T77'],
    [
      'outTradeNo and status',
      { where: { outTradeNo: 'T77', status: 'ACCEPTED' } },
      (v) => v.outTradeNo === 'T77' && v.status === 'ACCEPTED',
    ],
    [
      'from and to',
      { range: { min: '2026-11-01T03:00:00.000Z', max: '2026-11-01T04:00:00.000Z' } },
      (v) =>
        v.requestedAt >= '2026-11-01T03:00:00.000Z' && v.requestedAt <= '2026-11-01T04:00:00.000Z',
    ],
    [
      'status within from and to',
      { where: { status: 'SUCCEEDED' }, range: { min: '2026-11-01T10:00:00.000Z' } },
      (v) => v.status === 'SUCCEEDED' && v.requestedAt >= '2026-11-01T10:00:00.000Z',
    ],
  ];

  it.each(filters)(
    'given a filter on %s, then the page is searched through an index in its order, and two pages are what a full sort gives',
    async (_name, filter, matches) => {
      const query: DocumentQuery = {
        orderBy: 'requestedAt',
        direction: 'desc',
        limit: 20,
        ...filter,
      };
      const expected = all.filter(matches).sort(newestFirst).slice(0, 40);

      const first = await views.query(query);
      const next = first.next === undefined ? [] : [{ ...query, after: first.next }];
      const second = next[0] ? await views.query(next[0]) : { documents: [] };

      expect([...first.documents, ...second.documents]).toEqual(expected);
      expect(next).toHaveLength(expected.length > 20 ? 1 : 0);
      for (const page of [query, ...next]) {
        const plan = planOf(page);
        expect(plan).toMatch(/^SEARCH doc_refund_view_g1 USING INDEX doc_refund_view_g1__by_/);
        expect(plan).not.toContain('TEMP B-TREE');
      }
    },
  );

  it('given no filter, then the newest page is read from the head of the requestedAt index, not sorted', async () => {
    const query: DocumentQuery = { orderBy: 'requestedAt', direction: 'desc', limit: 20 };

    const page = await views.query(query);

    expect(page.documents).toEqual([...all].sort(newestFirst).slice(0, 20));
    const plan = planOf(query);
    expect(plan).toContain('USING INDEX doc_refund_view_g1__by_requestedAt_desc');
    expect(plan).not.toContain('TEMP B-TREE');
  });
});
