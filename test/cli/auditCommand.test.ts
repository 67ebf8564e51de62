import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRefundCommandHandler } from '../../src/application/handleRefundCommand.js';
import type { EventStore, JsonObject } from '../../src/application/ports/eventStore.js';
import { encodeRefundEvent } from '../../src/application/refundEventCodec.js';
import type { RefundEvent } from '../../src/domain/index.js';
import {
  markSucceeded,
  refundAccepted,
  refundRequested,
  refundSucceeded,
  requestRefund,
} from '../domain/refund/refundFixtures.js';
import { editReadModel, projectedLog, type ProjectedLog } from '../support/projectedLog.js';
import { collect, spawningTestMs, spawnTs } from '../support/spawnTs.js';
import { makeTempDir } from '../support/fixtures.js';
import { runCommand } from './captureIo.js';

const context = { correlationId: 'audit-test', causationId: 'audit-test', source: 'cli' } as const;

/** Appends straight to the log, past the decider, as a bug or a hand edit would. */
const append = async (
  events: EventStore,
  stream: string,
  expected: 'no_stream' | bigint,
  written: RefundEvent[],
) => {
  const result = await events.append(
    stream,
    written.map((event, index) =>
      encodeRefundEvent(event, context, { commandId: `${stream}@${expected}`, index }),
    ),
    expected,
  );
  expect(result.ok).toBe(true);
};

/** Appends whatever it is given: no refund event, or metadata the service would never write. */
const appendRaw = async (
  events: EventStore,
  stream: string,
  expected: 'no_stream' | bigint,
  { type, data, metadata }: { type: string; data: JsonObject; metadata: JsonObject },
) => {
  const result = await events.append(
    stream,
    [{ id: randomUUID(), type, data, metadata }],
    expected,
  );
  expect(result.ok).toBe(true);
};

/** `refunds audit` as its own process: what reaches stdout and stderr, and the exit code. */
const auditProcess = async (dataDir: string, args: string[] = ['--json']) =>
  collect(
    spawnTs('src/cli/refunds.ts', ['audit', ...args], { DATA_DIR: dataDir, LOG_LEVEL: 'silent' }),
  ).completion;

/** The same command line in-process: the process adds nothing but its streams. */
const runAudit = (dataDir: string, args: string[] = ['--json']) =>
  runCommand(dataDir, ['audit', ...args]);

describe('refunds audit', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let log: ProjectedLog;
  beforeEach(async () => {
    temp = makeTempDir();
    log = await projectedLog(temp.dir, 200);
  });
  afterEach(async () => {
    await log.close();
    temp.remove();
  });

  it(
    'given a clean log of thousands of random refunds and its read models, then exactly one JSON report on stdout, clean, and exit 0',
    async () => {
      const large = await projectedLog(path.join(temp.dir, 'large'), 3000);
      await large.close();

      const run = await auditProcess(path.join(temp.dir, 'large'));

      expect(run.code, run.stderr).toBe(0);
      const report = JSON.parse(run.stdout);
      expect(report).toMatchObject({
        clean: true,
        log: { events: large.written.events, refunds: 3000 },
        anomalies: { total: 0, listed: [] },
      });
      expect(report.readModels).toEqual([
        expect.objectContaining({ name: 'refund_view', checked: true, compared: 3000 }),
        expect.objectContaining({ name: 'order_ledger', checked: true, notYetProjected: 0 }),
      ]);
      expect(run.stderr).toBe('');
      // Writing and projecting the log, then the audit's own process.
    },
    spawningTestMs(1, 90_000),
  );

  const scenarios: {
    anomaly: string;
    given: (log: ProjectedLog, dataDir: string) => Promise<void>;
    at: { stream: string; revision: string | RegExp };
  }[] = [
    {
      anomaly: 'ILLEGAL_TRANSITION',
      given: async ({ events, project }) => {
        const x = { outRefundNo: 'X1', outTradeNo: 'TX1' };
        await append(events, 'refund-X1', 'no_stream', [
          refundRequested(x),
          refundSucceeded(x),
          refundAccepted(x),
        ]);
        await project();
      },
      at: { stream: 'refund-X1', revision: '2' },
    },
    {
      anomaly: 'ORDER_OVER_REFUNDED',
      given: async ({ events, project }) => {
        const handle = createRefundCommandHandler({ events });
        for (const outRefundNo of ['O1', 'O2']) {
          const terms = { outRefundNo, outTradeNo: 'TO', totalFee: 100, refundFee: 60 };
          await handle(requestRefund(terms), context);
          await handle(
            markSucceeded({ outRefundNo, refundId: outRefundNo, refundFee: 60 }),
            context,
          );
        }
        await project();
      },
      at: { stream: 'refund-O2', revision: '1' },
    },
    {
      anomaly: 'READ_MODEL_DIFFERS',
      given: async (_log, dataDir) => {
        const sql = `UPDATE doc_refund_view_g1 SET body = json_set(body, '$.refundFee', 1) WHERE id = 'R42'`;
        expect(editReadModel(dataDir, sql)).toBe(1);
      },
      at: { stream: 'refund-R42', revision: /^\d+$/ },
    },
    {
      anomaly: 'METADATA_INVALID',
      given: async ({ events, project }) => {
        const { data } = refundRequested({ outRefundNo: 'M1', outTradeNo: 'TM' });
        await appendRaw(events, 'refund-M1', 'no_stream', {
          type: 'RefundRequested',
          data: { ...data },
          metadata: { source: 'api', schemaVersion: 1 },
        });
        await project();
      },
      at: { stream: 'refund-M1', revision: '0' },
    },
    {
      anomaly: 'CORRUPT_EVENT',
      given: async ({ events }) => {
        const c = { outRefundNo: 'C1', outTradeNo: 'TC' };
        await append(events, 'refund-C1', 'no_stream', [refundRequested(c)]);
        await appendRaw(events, 'refund-C1', 0n, {
          type: 'RefundAccepted',
          data: { outRefundNo: 'C1' },
          metadata: { ...context, schemaVersion: 1 },
        });
        await append(events, 'refund-C1', 1n, [refundSucceeded(c)]);
      },
      at: { stream: 'refund-C1', revision: '1' },
    },
  ];

  it.each(scenarios)(
    'given a log with $anomaly, then it is reported with its stream and revision, and exit 1',
    async ({ anomaly, given, at }) => {
      await given(log, temp.dir);

      const run = await runAudit(temp.dir);

      expect(run.code, run.stderr).toBe(1);
      const report = JSON.parse(run.stdout);
      expect(report.clean).toBe(false);
      expect(report.anomalies.byKind).toEqual([{ kind: anomaly, count: 1 }]);
      expect(report.anomalies.listed).toEqual([
        expect.objectContaining({
          kind: anomaly,
          stream: at.stream,
          revision:
            typeof at.revision === 'string' ? at.revision : expect.stringMatching(at.revision),
        }),
      ]);
    },
  );

  it('given refunds stuck in REQUESTED, then they are reported as stale with their age, and exit 0', async () => {
    const anHourAgo = { now: () => new Date(Date.now() - 3600_000) };
    const old = await projectedLog(path.join(temp.dir, 'old'), 30, { clock: anHourAgo });
    await old.close();

    const run = await runAudit(path.join(temp.dir, 'old'), ['--json', '--stale-after', '60']);

    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report.stale.afterSeconds).toBe(60);
    expect(report.stale.refunds.length).toBe(report.statuses.REQUESTED + report.statuses.ACCEPTED);
    expect(report.stale.refunds.length).toBeGreaterThan(0);
    for (const refund of report.stale.refunds)
      expect(refund.ageSeconds).toBeGreaterThanOrEqual(3600);
  });

  it('given no --json, then a summary for people on stdout, nothing on stderr when piped (no progress bar)', async () => {
    const run = await runAudit(temp.dir, []);

    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Refunds by status');
    expect(run.stdout).toContain(
      "Refunded by day (China time, UTC+8, by the date of RefundSucceeded's successTime)",
    );
    expect(run.stdout).toMatch(/refund_view +generation 1/);
    expect(run.stdout).toContain('Result: clean');
    expect(run.stderr).toBe('');
  });

  it('given a DATA_DIR that does not exist, then exit 2 and nothing is created', async () => {
    const missing = path.join(temp.dir, 'missing');

    const run = await runAudit(missing);

    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('Cannot audit');
    expect(existsSync(missing)).toBe(false);
  });

  it('given a DATA_DIR without events.db, or with one that is no database, then exit 2 and no store is created', async () => {
    const empty = path.join(temp.dir, 'empty');
    mkdirSync(empty);

    expect((await runAudit(empty)).code).toBe(2);
    expect(readdirSync(empty)).toEqual([]);

    writeFileSync(path.join(empty, 'events.db'), 'this is not a database '.repeat(100));
    const garbage = await runAudit(empty);
    expect(garbage.code).toBe(2);
    expect(garbage.stderr).toContain('events.db');
  });

  it('given a bad --stale-after or an argument, then usage and exit 64', async () => {
    expect((await runAudit(temp.dir, ['--stale-after', 'soon'])).code).toBe(64);
    expect((await runAudit(temp.dir, ['everything'])).code).toBe(64);
  });
});
