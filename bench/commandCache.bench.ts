// npm run bench:commands — what the command handler's stream cache saves on the path a refund
// takes through the service: request, acceptance (the gateway's answer), success (the
// notification), each through the command handler on the real embedded SQLite log, 64 refunds
// in flight. Measured with and without the cache, alternating, BENCH_RUNS times each (median):
// refunds/s, the CPU time of this process per refund (less sensitive than a rate to other
// work on a shared machine), and the stream reads per refund. Writes
// bench/results/commands-<date>.md.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRefundCommandHandler } from '../src/application/handleRefundCommand.js';
import type { EventStore } from '../src/application/ports/eventStore.js';
import { createStreamStateCache } from '../src/application/streamStateCache.js';
import type { RefundCommand } from '../src/domain/index.js';
import { createSqliteEventStore } from '../src/infrastructure/sqlite/sqliteEventStore.js';
import { writeOwnResults } from './support/resultsFile.js';

const refunds = Number(process.env['BENCH_REFUNDS'] ?? 3_000);
const runs = Math.max(2, Number(process.env['BENCH_RUNS'] ?? 2));
const inFlight = 64;
const at = '2026-11-30T08:00:00.000Z';
const context = { correlationId: 'bench', causationId: 'bench', source: 'api' } as const;
const log = (line: string) => process.stderr.write(`${line}\n`);

/** The three commands of a refund that succeeds, as the API, gateway and notification send them. */
const lifeOf = (n: number): RefundCommand[] => {
  const outRefundNo = `C${n}`;
  const transactionId = `42000000012026113000${String(n).padStart(8, '0')}`;
  const refundId = `50000000012026113000${String(n).padStart(10, '0')}`;
  return [
    {
      type: 'RequestRefund',
      data: {
        outRefundNo,
        outTradeNo: outRefundNo,
        transactionId,
        totalFee: 1000,
        refundFee: 1000,
        requestedAt: at,
      },
    },
    {
      type: 'AcceptRefund',
      data: {
        outRefundNo,
        refundId,
        transactionId,
        refundFee: 1000,
        settlementRefundFee: 1000,
        cashRefundFee: 1000,
        acceptedAt: at,
      },
    },
    {
      type: 'MarkRefundSucceeded',
      data: {
        outRefundNo,
        refundId,
        refundFee: 1000,
        settlementRefundFee: 1000,
        refundRecvAccount: '支付用户零钱',
        refundAccount: 'REFUND_SOURCE_UNSETTLED_FUNDS',
        refundRequestSource: 'API',
        successTime: '2026-11-30T16:00:00+08:00',
        recordedAt: at,
      },
    },
  ];
};

type Figure = { perSecond: number; cpuMsPerRefund: number; readsPerRefund: number };

const measure = async (cached: boolean): Promise<Figure> => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'refunds-bench-commands-'));
  const store = createSqliteEventStore({ file: path.join(dir, 'events.db') });
  let reads = 0;
  const events: EventStore = {
    ...store,
    readStream: (name) => {
      reads++;
      return store.readStream(name);
    },
  };
  const handle = createRefundCommandHandler({
    events,
    ...(cached && { cache: createStreamStateCache() }),
  });
  let next = 0;
  const worker = async () => {
    for (let n = next++; n < refunds; n = next++) {
      for (const command of lifeOf(n)) await handle(command, context);
    }
  };
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  await Promise.all(Array.from({ length: inFlight }, worker));
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  return {
    perSecond: refunds / seconds,
    cpuMsPerRefund: (cpu.user + cpu.system) / 1000 / refunds,
    readsPerRefund: reads / refunds,
  };
};

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

const main = async () => {
  const figures = { without: [] as Figure[], with: [] as Figure[] };
  for (let run = 1; run <= runs; run++) {
    log(`run ${run}/${runs}: without the cache, then with it (${refunds} refunds each)`);
    figures.without.push(await measure(false));
    figures.with.push(await measure(true));
  }
  const row = (name: string, all: Figure[]) =>
    `| ${name} | ${median(all.map((f) => f.perSecond)).toFixed(0)}/s | ` +
    `${median(all.map((f) => f.cpuMsPerRefund)).toFixed(2)} ms | ` +
    `${median(all.map((f) => f.readsPerRefund)).toFixed(2)} | ` +
    `${all.map((f) => f.perSecond.toFixed(0)).join(', ')} |`;
  const report = [
    `# Command handler with and without the stream cache, ${new Date().toISOString().slice(0, 10)}`,
    '',
    `${refunds} refunds, each requested, accepted and marked succeeded through the command handler on`,
    `the embedded SQLite log (synchronous=FULL), ${inFlight} in flight; median of ${runs} runs each,`,
    `alternating. Load average at the end: ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(', ')} on ${os.cpus().length} cores.`,
    '',
    '| handler | refunds/s | CPU per refund | stream reads per refund | each run |',
    '|---|---:|---:|---:|---|',
    row('without the cache', figures.without),
    row('with the cache', figures.with),
    '',
  ].join('\n');
  process.stdout.write(report);
  const file = writeOwnResults('commands', report);
  log(`written to ${file}`);
};

await main();
