// npm run bench:orders — what checking the requests of one order one after another costs the
// requests of other orders (DESIGN §5, src/application/orderSequence.ts). The service runs as
// `npm start` runs it (dist/, embedded SQLite, the in-process sandbox). Two figures, each with
// 48 connections posting refunds of distinct orders (the measured load) beside 16 more
// connections:
//   control:   the 16 post refunds of distinct orders too (the same load, no order contended);
//   contended: the 16 post refunds of a few hot orders, 50 to an order (each waits for the one
//              before it to be in the ledger).
// If the sequencing held up other orders, the measured load would be slower in the second figure.
// Writes bench/results/orders-<date>.md.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { load, type LoadResult } from './support/load.js';
import { freePort, root, run, waitFor } from './support/processes.js';

const seconds = Number(process.env['BENCH_SECONDS'] ?? 10);
const work = mkdtempSync(path.join(os.tmpdir(), 'refunds-bench-orders-'));
const log = (line: string) => process.stderr.write(`${line}\n`);

const distinct = (prefix: string) => (n: number) =>
  JSON.stringify({ outTradeNo: `${prefix}${n}`, outRefundNo: `${prefix}${n}`, totalFee: 1000 });

/** 50 refunds of 1 fen to an order, then the next order: each fits, none is refused. */
const hot = (n: number) =>
  JSON.stringify({
    outTradeNo: `H${Math.floor(n / 50)}`,
    outRefundNo: `H${n}`,
    totalFee: 1000,
    refundFee: 1,
  });

const figure = async (url: string, name: string, beside: (n: number) => string) => {
  const [measured, other] = await Promise.all([
    load({
      url: `${url}/v1/refunds`,
      connections: 48,
      durationSeconds: seconds,
      body: distinct(name),
    }),
    load({ url: `${url}/v1/refunds`, connections: 16, durationSeconds: seconds, body: beside }),
  ]);
  log(`${name}: ${Math.round(measured.requestsPerSecond)} req/s, p99 ${measured.p99Ms} ms`);
  return { measured, other };
};

const row = (name: string, { measured, other }: { measured: LoadResult; other: LoadResult }) =>
  `| ${name} | ${Math.round(measured.requestsPerSecond)} | ${measured.p50Ms} | ${measured.p99Ms} | ${measured.non2xx + measured.errors} | ${Math.round(other.requestsPerSecond)} | ${other.p99Ms} | ${other.non2xx + other.errors} |`;

const port = await freePort();
const url = `http://127.0.0.1:${port}`;
const service = run('node', ['bin/refunds.js', 'serve'], {
  DATA_DIR: path.join(work, 'data'),
  PORT: String(port),
  LOG_LEVEL: 'warn',
});
try {
  await waitFor(async () => (await fetch(`${url}/readyz`)).status === 200, 300_000, 'readiness');
  // Warm up (JIT, SQLite pages) so that neither figure pays for it.
  await load({
    url: `${url}/v1/refunds`,
    connections: 16,
    durationSeconds: 2,
    body: distinct('W'),
  });
  const control = await figure(url, 'A', distinct('B'));
  const contended = await figure(url, 'C', hot);
  const date = new Date().toISOString().slice(0, 10);
  const report = [
    `# Per-order sequencing (${date}, ${seconds} s per figure, ${os.cpus().length} cores, load average ${os.loadavg()[0]!.toFixed(1)} at the end)`,
    '',
    '48 connections POST refunds of distinct orders (measured) while 16 more POST beside them.',
    '',
    '| figure | req/s | p50 ms | p99 ms | non-2xx | beside: req/s | beside: p99 ms | beside: non-2xx |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    row('control: beside, distinct orders', control),
    row('contended: beside, 50 refunds to each hot order', contended),
    '',
    `The measured load in the contended figure: ${Math.round((100 * contended.measured.requestsPerSecond) / control.measured.requestsPerSecond)}% of the control's requests per second.`,
    '',
  ].join('\n');
  const file = path.join(root, 'bench', 'results', `orders-${date}.md`);
  writeFileSync(file, report);
  process.stdout.write(report);
  log(`written to ${path.relative(root, file)}`);
} finally {
  await service.stop();
  rmSync(work, { recursive: true, force: true });
}
