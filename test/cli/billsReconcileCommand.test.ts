import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openReconciliations } from '../../src/application/bills/reconciliationStore.js';
import { addDays, chinaDateOf } from '../../src/application/chinaDate.js';
import { createRefundCommandHandler } from '../../src/application/handleRefundCommand.js';
import { refundStreamName } from '../../src/application/refundEventCodec.js';
import { runCommandLine } from '../../src/cli/commandTable.js';
import { createSqliteDocumentStore } from '../../src/infrastructure/sqlite/sqliteDocumentStore.js';
import { createSqliteEventStore } from '../../src/infrastructure/sqlite/sqliteEventStore.js';
import { liveWechatEnvOf } from '../../src/sandbox/runSandboxCommand.js';
import { startWechatSandbox } from '../../src/sandbox/wechatSandbox.js';
import { acceptRefund, markSucceeded, requestRefund } from '../domain/refund/refundFixtures.js';
import { refundBill, refundRow, summaryLines } from '../infrastructure/wechat/bills/billFiles.js';
import { makeTempDir, sharedSandboxCertDir } from '../support/fixtures.js';
import { captureIo } from './captureIo.js';

const date = '2026-11-28';
/** 10:05 China time on the date. */
const acceptedAt = '2026-11-28T02:05:00.000Z';

describe('refunds bills reconcile', () => {
  let temp: ReturnType<typeof makeTempDir>;
  beforeEach(async () => {
    temp = makeTempDir('bills-command-');
    // Two refunds WeChat took on the date, both succeeded.
    const events = createSqliteEventStore({ file: path.join(temp.dir, 'events.db') });
    const handle = createRefundCommandHandler({ events });
    const context = { correlationId: 'c', causationId: 'c', source: 'api' } as const;
    for (const [outRefundNo, refundId] of [
      ['R1', '50000000000000000000000000001'],
      ['R2', '50000000000000000000000000002'],
    ] as const) {
      const ids = { outRefundNo, outTradeNo: `T-${outRefundNo}`, refundId };
      await handle(requestRefund({ ...ids, refundFee: 1990 }), context);
      await handle(acceptRefund({ ...ids, acceptedAt }), context);
      await handle(markSucceeded(ids), context);
    }
    await events.close();
  });
  afterEach(() => temp.remove());

  const row = (outRefundNo: string, refund = '19.90', extra = {}) =>
    refundRow({
      outRefundNo,
      outTradeNo: `T-${outRefundNo}`,
      refundId: `5000000000000000000000000000${outRefundNo.slice(1)}`,
      refund,
      order: '39.60',
      ...extra,
    });
  const bill = (name: string, text: string | Buffer): string => {
    const file = path.join(temp.dir, name);
    writeFileSync(file, text);
    return file;
  };

  const run = async (args: string[], env: NodeJS.ProcessEnv = {}) => {
    const io = captureIo();
    const code = await runCommandLine(['bills', 'reconcile', ...args], {
      env: { LOG_LEVEL: 'silent', DATA_DIR: temp.dir, ...env },
      io: io.io,
    });
    return { code, stdout: io.stdout(), stderr: io.stderr() };
  };

  /** What the log and the stored reconciliations hold now. */
  const stored = async () => {
    const events = createSqliteEventStore({ file: path.join(temp.dir, 'events.db') });
    const documents = createSqliteDocumentStore({ file: path.join(temp.dir, 'read.db') });
    try {
      return {
        reconciliation: await openReconciliations(documents).get(date),
        streams: (
          await Promise.all(['R1', 'R2', 'R3'].map((no) => events.readStream(refundStreamName(no))))
        ).map((stream) => stream.map((event) => [event.type, event.metadata.source])),
      };
    } finally {
      await documents.close();
      await events.close();
    }
  };

  it('given the bill of the date that agrees with the log, gzip as downloaded, then exit 0 and a clean report, stored', async () => {
    const file = bill(
      'bill.csv.gz',
      gzipSync(refundBill([row('R1'), row('R2')], summaryLines(2, '39.80'))),
    );

    const { code, stdout, stderr } = await run(['--date', date, '--file', file]);

    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain(
      `WeChat Pay refund bill of ${date} (China time), read from a file: 2 refund rows`,
    );
    expect(stdout).toMatch(/: clean\n/);
    expect(stdout).toMatch(/^ {2}matched +2$/m);
    expect((await stored()).reconciliation).toMatchObject({
      date,
      clean: true,
      billSource: 'file',
    });
  });

  it('given a bill with discrepancies, then exit 1, each with both sides, the SUCCESS row the log lacks recorded once, and --json the stored document', async () => {
    const file = bill(
      'bill.csv',
      refundBill(
        [row('R1', '19.00'), row('R3', '5.00', { status: 'SUCCESS' })],
        summaryLines(2, '24.00'),
      ),
    );

    const text = await run(['--date', date, '--file', file]);

    expect(text.code).toBe(1);
    expect(text.stdout).toContain('checked against the log at');
    expect(text.stdout).toContain('3 discrepancies');
    expect(text.stdout).toContain(
      [
        'missingFromLog  R3',
        '    bill  line 3: SUCCESS, 5.00 CNY, refund 50000000000000000000000000003, order T-R3, applied 2026-11-28T10:15:00+08:00',
        '    log   no refund',
        '    recorded as a refund of origin wechat (metadata source bill)',
        'missingFromBill  R2',
        '    bill  no row',
        '    log   SUCCEEDED, 19.90 CNY, refund 50000000000000000000000000002, origin api, taken by WeChat on 2026-11-28',
        'amountMismatch  R1',
        '    bill  line 2: SUCCESS, 19.00 CNY, refund 50000000000000000000000000001, order T-R1, applied 2026-11-28T10:15:00+08:00',
        '    log   SUCCEEDED, 19.90 CNY, refund 50000000000000000000000000001, origin api, taken by WeChat on 2026-11-28',
      ].join('\n'),
    );

    const json = await run(['--date', date, '--file', file, '--json']);
    expect(json.code).toBe(1);
    const document = JSON.parse(json.stdout);
    expect(document).toEqual((await stored()).reconciliation);
    expect(document.counts).toEqual({
      matched: 0,
      missingFromLog: 1,
      missingFromBill: 1,
      amountMismatch: 1,
      statusMismatch: 0,
      summaryMismatch: 0,
    });
    expect((await stored()).streams[2]).toEqual([
      ['RefundRequested', 'bill'],
      ['RefundSucceeded', 'bill'],
    ]);
  });

  it.each([
    ['a date that is none', ['--date', '2026-02-30'], '2026-02-30 is not a date YYYY-MM-DD'],
    ['a date to come', ['--date', addDays(chinaDateOf(new Date()), 1)], 'is in the future'],
    [
      'a file that is not there',
      ['--date', date, '--file', '/nonexistent/bill.csv'],
      'cannot read /nonexistent/bill.csv',
    ],
    ['a directory', ['--date', date, '--file', '.'], '. is not a file'],
    [
      'no file in sandbox mode',
      ['--date', date],
      'in sandbox mode the simulated WeChat Pay runs inside `refunds serve`',
    ],
  ])('given %s, then exit 2 with one line, and nothing recorded', async (_case, args, message) => {
    const { code, stdout, stderr } = await run(args);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.trimEnd().split('\n')).toEqual([expect.stringContaining(message)]);
    expect(stderr).toMatch(/^Cannot reconcile the bill of /);
    expect((await stored()).reconciliation).toBeUndefined();
  });

  it.each([
    ['a file that is not a bill', 'just some text\n', 'line 1: not a refund bill header'],
    [
      'a bill whose last row does not parse, after a SUCCESS row the log lacks',
      refundBill([row('R3', '5.00'), row('R1', '19.9O')], summaryLines(2, '24.90')),
      'line 3: 退款金额 "19.9O" is not an amount in yuan',
    ],
    [
      'a bill cut short before its summary',
      refundBill([row('R3', '5.00'), row('R1')], []),
      'ends before its summary row',
    ],
  ])('given %s, then exit 2 with the line, and nothing recorded', async (_case, text, message) => {
    const { code, stderr } = await run(['--date', date, '--file', bill('bill.csv', text)]);
    expect(code).toBe(2);
    expect(stderr.trimEnd().split('\n')).toEqual([expect.stringContaining(message)]);
    const now = await stored();
    expect(now.reconciliation).toBeUndefined();
    expect(now.streams[2]).toEqual([]);
  });

  it('given no --date, then the usage (exit 64)', async () => {
    expect((await run([])).code).toBe(64);
  });
});

describe.each(['v2', 'v3'] as const)('refunds bills reconcile downloading with API %s', (api) => {
  it('given live mode pointed at a WeChat Pay (the sandbox on its own), then the bill of the date is downloaded and reconciled', async () => {
    const temp = makeTempDir('bills-command-live-');
    const sandbox = await startWechatSandbox({ certDir: sharedSandboxCertDir() });
    try {
      const platform = await sandbox.simulateMerchantPlatformRefund({
        outTradeNo: 'T-platform',
        totalFee: 500,
        refundFee: 200,
        notify: false,
        api,
      });
      const today = chinaDateOf(new Date(platform.createdAt));
      const io = captureIo();
      const code = await runCommandLine(['bills', 'reconcile', '--date', today, '--json'], {
        env: {
          LOG_LEVEL: 'silent',
          DATA_DIR: path.join(temp.dir, 'data'),
          ...liveWechatEnvOf(sandbox, api),
        },
        io: io.io,
      });
      expect(io.stderr()).toBe('');
      expect(code).toBe(1);
      expect(JSON.parse(io.stdout())).toMatchObject({
        date: today,
        billSource: api,
        counts: { missingFromLog: 1 },
        discrepancies: [
          { kind: 'missingFromLog', outRefundNo: platform.outRefundNo, recorded: true },
        ],
      });
    } finally {
      await sandbox.close();
      temp.remove();
    }
  });
});
