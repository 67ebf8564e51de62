import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSqliteDocumentStore } from '../../src/infrastructure/sqlite/sqliteDocumentStore.js';
import { createSqliteEventStore } from '../../src/infrastructure/sqlite/sqliteEventStore.js';
import { runAudit } from '../../src/audit/runAudit.js';
import { editReadModel, projectedLog, type ProjectedLog } from '../support/projectedLog.js';
import { writeRandomRefunds } from '../../bench/support/randomRefunds.js';
import { makeTempDir } from '../support/fixtures.js';

const now = new Date('2026-11-01T09:00:00.000Z');

describe('the audit of a log and its read models', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let log: ProjectedLog;
  beforeEach(async () => {
    temp = makeTempDir();
    log = await projectedLog(temp.dir, 300);
  });
  afterEach(async () => {
    await log.close();
    temp.remove();
  });

  const audit = () =>
    runAudit({
      events: log.events,
      documents: log.documents,
      now,
      staleAfterSeconds: 600,
      pageSize: 50,
    });

  it('given read models the projections built, then every document equals the replay', async () => {
    const report = await audit();

    expect(report.clean).toBe(true);
    expect(report.readModels).toEqual([
      expect.objectContaining({ name: 'refund_view', checked: true, compared: 300 }),
      expect.objectContaining({ name: 'order_ledger', checked: true, notYetProjected: 0 }),
    ]);
  });

  it('given a refund view edited, one deleted and one added by hand, then DIFFERS, MISSING and EXTRA with the documents', async () => {
    const edits = [
      `UPDATE doc_refund_view_g1 SET body = json_set(body, '$.status', 'SUCCEEDED', '$.refundFee', 1) WHERE id = 'R5'`,
      `DELETE FROM doc_order_ledger_g1 WHERE id = 'T0'`,
      `INSERT INTO doc_refund_view_g1 (id, position, body) SELECT 'R-ghost', 3, body FROM doc_refund_view_g1 WHERE id = 'R1'`,
    ];
    expect(edits.map((sql) => editReadModel(temp.dir, sql))).toEqual([1, 1, 1]);

    const report = await audit();

    expect(report.anomalies.byKind).toEqual([
      { kind: 'READ_MODEL_MISSING', count: 1 },
      { kind: 'READ_MODEL_EXTRA', count: 1 },
      { kind: 'READ_MODEL_DIFFERS', count: 1 },
    ]);
    const byKind = Object.fromEntries(report.anomalies.listed.map((a) => [a.kind, a]));
    expect(byKind.READ_MODEL_DIFFERS).toMatchObject({
      stream: 'refund-R5',
      details: {
        readModel: 'refund_view',
        documentId: 'R5',
        fields: [
          { field: 'refundFee', stored: 1 },
          { field: 'status', stored: 'SUCCEEDED' },
        ],
      },
    });
    expect(byKind.READ_MODEL_MISSING).toMatchObject({
      details: { readModel: 'order_ledger', documentId: 'T0' },
    });
    expect(byKind.READ_MODEL_MISSING?.stream).toMatch(/^refund-R/);
    expect(byKind.READ_MODEL_EXTRA).toMatchObject({
      stream: null,
      revision: null,
      details: { readModel: 'refund_view', documentId: 'R-ghost', position: '3' },
    });
  });

  it('given events the projections have not applied yet, then those documents are not yet projected, not drift', async () => {
    await writeRandomRefunds(log.events, 20, { prefix: 'late-' });

    const report = await audit();

    expect(report.clean).toBe(true);
    expect(report.readModels[0]).toMatchObject({ compared: 300, notYetProjected: 20 });
  });

  it('given no read-model store, or read models never built, then they are not compared', async () => {
    const bare = await runAudit({
      events: log.events,
      documents: undefined,
      now,
      staleAfterSeconds: 600,
    });
    expect(bare.readModels).toEqual([
      { name: 'refund_view', checked: false, reason: 'no read-model store' },
      { name: 'order_ledger', checked: false, reason: 'no read-model store' },
    ]);

    const empty = createSqliteDocumentStore({ file: path.join(temp.dir, 'empty.db') });
    const unbuilt = await runAudit({
      events: log.events,
      documents: empty,
      now,
      staleAfterSeconds: 600,
    });
    await empty.close();
    expect(unbuilt.readModels[0]).toMatchObject({
      checked: false,
      reason: expect.stringMatching(/never built/),
    });
    expect(unbuilt.clean).toBe(true);
  });

  it('given an empty log, then an empty, clean report', async () => {
    const events = createSqliteEventStore({ file: path.join(temp.dir, 'empty-events.db') });
    const report = await runAudit({ events, documents: undefined, now, staleAfterSeconds: 600 });
    await events.close();

    expect(report).toMatchObject({
      clean: true,
      log: { events: 0, refunds: 0, headPosition: null },
    });
  });
});
