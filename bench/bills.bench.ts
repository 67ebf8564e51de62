// npm run bench:bills [-- --rows 1000000 --first 100000]
//
// Writes a log of refunds WeChat took on one day (requested, accepted, succeeded), builds the
// bill_expectation read model, writes that day's REFUND bill as WeChat delivers it (the sandbox's
// writer: BOM, CRLF, backquotes, summary; gzip) with a few discrepancies planted, then measures in
// fresh processes (a) reading the bill alone and (b) `refunds bills reconcile --file`, at two
// sizes, and writes bench/results/bills-<date>.md.
import { createWriteStream, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { createGzip } from 'node:zlib';
import { pino } from 'pino';
import { z } from 'zod';
import type { EventStore } from '../src/application/ports/eventStore.js';
import { encodeRefundEvent, refundStreamName } from '../src/application/refundEventCodec.js';
import type { RefundEvent } from '../src/domain/index.js';
import { createSqliteDocumentStore } from '../src/infrastructure/sqlite/sqliteDocumentStore.js';
import { createSqliteEventStore } from '../src/infrastructure/sqlite/sqliteEventStore.js';
import { billExpectationProjection } from '../src/projections/billExpectation.js';
import { rebuildProjection } from '../src/projections/rebuildProjection.js';
import { billLines, type SandboxBillRow } from '../src/sandbox/sandboxBills.js';
import { chinaTimeOf } from '../src/sandbox/sandboxLedger.js';
import { measureInChild } from './support/processes.js';

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '1000000' },
    first: { type: 'string', default: '100000' },
  },
});
const sizes = [Number(values.first), Number(values.rows)];
const root = path.resolve(import.meta.dirname, '..');
/** Discrepancies of each kind planted per bill. */
const planted = 10;
/** The V8 heap limit of the re-run (--max-old-space-size): it fails if memory grows with the bill. */
const heapCapMb = 128;

const log = (message: string) => process.stderr.write(`${new Date().toISOString()} ${message}\n`);
const rate = (n: number) => Math.round(n).toLocaleString('en-US');
const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MB`;

const refundOf = (date: string, n: number) => ({
  outRefundNo: `R${date.replaceAll('-', '')}${String(n).padStart(8, '0')}`,
  outTradeNo: `T${date.replaceAll('-', '')}${String(n).padStart(8, '0')}`,
  transactionId: `4200${date.replaceAll('-', '')}${String(n).padStart(16, '0')}`,
  refundId: `5000${date.replaceAll('-', '')}${String(n).padStart(17, '0')}`,
  totalFee: 10_000 + (n % 5000),
  refundFee: 100 + (n % 9000),
  at: new Date(Date.parse(`${date}T00:00:00+08:00`) + (n % 86_000) * 1000),
});

/** `count` refunds WeChat took on `date`: one append of three events each, many at once. */
const writeDay = async (events: EventStore, date: string, count: number) => {
  const context = { correlationId: 'bench', causationId: 'bench', source: 'api' } as const;
  const batch = 2000;
  for (let start = 0; start < count; start += batch) {
    const appends = [];
    for (let n = start; n < Math.min(count, start + batch); n++) {
      const refund = refundOf(date, n);
      const { outRefundNo, outTradeNo, refundId, refundFee } = refund;
      const at = refund.at.toISOString();
      const history: RefundEvent[] = [
        {
          type: 'RefundRequested',
          data: {
            outRefundNo,
            outTradeNo,
            transactionId: refund.transactionId,
            totalFee: refund.totalFee,
            refundFee,
            requestedAt: at,
            attempt: 1,
            origin: 'api',
          },
        },
        {
          type: 'RefundAccepted',
          data: { outRefundNo, outTradeNo, refundId, refundFee, acceptedAt: at },
        },
        {
          type: 'RefundSucceeded',
          data: {
            outRefundNo,
            outTradeNo,
            refundId,
            refundFee,
            settlementRefundFee: refundFee,
            refundRecvAccount: '支付用户零钱',
            refundAccount: 'REFUND_SOURCE_UNSETTLED_FUNDS',
            refundRequestSource: 'API',
            successTime: at,
            recordedAt: at,
          },
        },
      ];
      const streamName = refundStreamName(outRefundNo);
      // One command per refund: its number names it.
      const commandId = outRefundNo;
      appends.push(
        events.append(
          streamName,
          history.map((event, index) => encodeRefundEvent(event, context, { commandId, index })),
          'no_stream',
        ),
      );
    }
    await Promise.all(appends);
    if ((start / batch) % 50 === 0) log(`  ${rate(start + batch)} refunds of ${date}`);
  }
};

const identity = {
  appid: 'wxd930ea5d5a258f4f',
  mchId: '1900000109',
  apiKey: '',
  apiV3Key: '',
  platformPublicKeyId: '',
};

/**
 * The day's bill: every refund of the log, `planted` of them with another amount, `planted` left
 * out, and `planted` refunds the log never heard of (made on the merchant platform).
 */
const writeBill = async (file: string, date: string, count: number) => {
  const rows = function* (): Generator<SandboxBillRow> {
    for (let n = 0; n < count + planted; n++) {
      if (n >= planted && n < 2 * planted) continue;
      const refund = refundOf(date, n < count ? n : 10_000_000 + n);
      const sandboxRefund = {
        ...refund,
        status: 'SUCCESS' as const,
        scenario: 'SUCCESS' as const,
        source: 'API' as const,
        api: 'v2' as const,
        createdAt: refund.at.toISOString(),
        successTime: chinaTimeOf(refund.at),
      };
      yield {
        refund: sandboxRefund,
        refundFee: n < planted ? refund.refundFee + 1 : refund.refundFee,
        status: 'SUCCESS',
      };
    }
  };
  const lines = Readable.from(
    (function* () {
      for (const line of billLines(rows(), identity)) yield `${line}\r\n`;
    })(),
  );
  await pipeline(lines, createGzip(), createWriteStream(file));
};

const measurementSchema = z.object({
  mode: z.enum(['parse', 'reconcile']),
  rows: z.number(),
  seconds: z.number(),
  peakRss: z.number(),
  counts: z.record(z.string(), z.number()).optional(),
});

const measure = (
  mode: 'parse' | 'reconcile',
  dataDir: string,
  date: string,
  file: string,
  nodeFlags: string[] = [],
) =>
  measureInChild(
    'bench/support/measureBills.ts',
    [mode, dataDir, date, file],
    measurementSchema,
    nodeFlags,
  );

const temp = mkdtempSync(path.join(os.tmpdir(), 'refunds-bills-bench-'));
log(`working in ${temp}`);
const events = createSqliteEventStore({ file: path.join(temp, 'events.db') });
const table: string[] = [];
const timings: string[] = [];
try {
  for (const [i, size] of sizes.entries()) {
    const date = `2026-11-${String(20 + i).padStart(2, '0')}`;
    log(`writing ${rate(size)} refunds taken on ${date}`);
    let started = performance.now();
    await writeDay(events, date, size);
    timings.push(
      `writing ${rate(size)} refunds (${rate(size * 3)} events): ${((performance.now() - started) / 1000).toFixed(0)} s`,
    );

    log('building bill_expectation');
    started = performance.now();
    const documents = createSqliteDocumentStore({ file: path.join(temp, 'read.db') });
    await rebuildProjection(billExpectationProjection, {
      events,
      documents,
      log: pino({ level: 'silent' }),
      dropOld: true,
      batchSize: 5000,
    });
    await documents.close();
    timings.push(
      `building bill_expectation from the whole log: ${((performance.now() - started) / 1000).toFixed(0)} s`,
    );

    const file = path.join(temp, `bill-${date}.csv.gz`);
    started = performance.now();
    await writeBill(file, date, size);
    timings.push(
      `writing the bill of ${rate(size)} rows: ${((performance.now() - started) / 1000).toFixed(0)} s, ${mb(statSync(file).size)} gzip`,
    );

    log('measuring');
    const parse = await measure('parse', temp, date, file);
    const reconcile = await measure('reconcile', temp, date, file);
    // Again (a re-run of the day), in a heap too small for anything that grows with the bill.
    const capped = await measure('reconcile', temp, date, file, [
      `--max-old-space-size=${heapCapMb}`,
    ]);
    log(
      `  parse ${rate(parse.rows / parse.seconds)} rows/s, reconcile ${rate(reconcile.rows / reconcile.seconds)} rows/s`,
    );
    table.push(
      `| ${rate(reconcile.rows)} | ${rate(parse.rows / parse.seconds)} | ${mb(parse.peakRss)} | ` +
        `${rate(reconcile.rows / reconcile.seconds)} | ${reconcile.seconds.toFixed(1)} s | ${mb(reconcile.peakRss)} | ` +
        `${capped.seconds.toFixed(1)} s, ${mb(capped.peakRss)} | ` +
        `${JSON.stringify(reconcile.counts).replaceAll('"', '').replaceAll(',', ', ')} |`,
    );
  }
} finally {
  await events.close();
  rmSync(temp, { recursive: true, force: true });
}

const day = new Date().toISOString().slice(0, 10);
const cpus = os.cpus();
const report = `# Bill reconciliation benchmark, ${day}

\`npm run bench:bills\` (bench/bills.bench.ts, run through tsx).

**Machine:** ${cpus[0]?.model ?? 'unknown CPU'}, ${cpus.length} cores shared with other work, ${Math.round(os.totalmem() / 2 ** 20)} MB memory, ${os.type()} ${os.release()}, Node ${process.version}.

**Log:** for each size, that many refunds WeChat took on one day (RefundRequested, RefundAccepted,
RefundSucceeded; one append each, through the SQLite store's append API), on top of the sizes
before (the read model holds them all); the bill_expectation read model built by rebuildProjection.
**Bill:** that day's REFUND bill as WeChat delivers it, gzip, written by the sandbox's bill writer
(BOM, CRLF, backquotes, the current layout, the summary row): a row per refund of the day, ${planted}
of them with another amount, ${planted} left out, and ${planted} rows of refunds the log never heard
of (recorded by the reconciliation as refunds of origin wechat).

**Measured** in a fresh process each: *parse*, the bill read alone (readBill: gunzip, lines,
header mapping, yuan to fen); *reconcile*, \`refunds bills reconcile --date D --file BILL --json\`
as the command runs it (opening the stores, catching up the read model, comparing every row with
the log a batch of 500 at a time, listing the day's refunds, recording the missing ones, storing
the result). Peak RSS is the process's VmHWM.

| bill rows | parse (rows/s) | parse peak RSS | reconcile (rows/s) | reconcile time | reconcile peak RSS | re-run with a ${heapCapMb} MB heap: time, peak RSS | counts |
|---:|---:|---:|---:|---:|---:|---:|---|
${table.join('\n')}

${timings.map((line) => `- ${line}`).join('\n')}
`;
const out = path.join(root, 'bench', 'results', `bills-${day}.md`);
writeFileSync(out, report);
log(`wrote ${out}`);
