// npm run bench:webhook-impact — issue 13's last point measured directly: figures 2–4 of
// `npm run bench` (POST /v1/refunds distinct, POST /wechat/refund-notify, GET /v1/refunds/{id}
// over BENCH_REFUNDS prepared refunds, the gateway draining them as in the bench) on the built
// service without a webhook endpoint and on one with an endpoint subscribed to every event type
// (a receiver in a process of its own), the two one after the other in each round, which goes
// first alternating. Two invocations of `npm run bench` minutes apart differ by more than the
// effect (the bare route's rate swung 19,000–25,000/s between them on the shared cores); within a
// round they are measured side by side. The service second in a round tended to come out ahead
// (in a run of 3 rounds, the one with webhooks first lost all three figures by 17–51%, the two
// others won), so the rounds are even in number and each order comes up equally often. Per
// figure: the geometric mean over BENCH_RUNS rounds (4) of the round's rate with ÷ without.
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { embeddedStores } from './support/benchStores.js';
import { refundBody } from './support/endToEnd.js';
import { load } from './support/load.js';
import { median } from './support/median.js';
import { notificationsFor, prepopulate } from './support/preparedRefunds.js';
import { serve } from './support/processes.js';
import { loadAverage, writeOwnResults } from './support/resultsFile.js';
import { settled } from './support/settled.js';
import { startWebhookSink, subscribe } from './support/webhookSink.js';

const seconds = Number(process.env['BENCH_SECONDS'] ?? 10);
const readRefunds = Number(process.env['BENCH_REFUNDS'] ?? 100_000);
const runs = Number(process.env['BENCH_RUNS'] ?? 4);
if (!Number.isInteger(runs) || runs < 2 || runs % 2 !== 0) {
  throw new Error('BENCH_RUNS: an even number of rounds (each order equally often)');
}
const work = mkdtempSync(path.join(os.tmpdir(), 'refunds-bench-impact-'));
const log = (line: string) => process.stderr.write(`${line}\n`);

const figures = [
  'POST /v1/refunds, distinct',
  'POST /wechat/refund-notify',
  'GET /v1/refunds/{id}',
];
type Rates = number[];

/** Figures 2, 3 and 4 on a fresh service, each once what came before is worked off. */
const measure = async (prepared: string, name: string, webhooks: boolean): Promise<Rates> => {
  const dataDir = path.join(work, name);
  embeddedStores.seed(prepared, dataDir);
  const service = await serve(embeddedStores.serviceEnv(dataDir, name));
  const sink = webhooks ? await startWebhookSink() : undefined;
  try {
    if (sink) await subscribe(service.url, sink.url);
    const notifications = notificationsFor(dataDir, readRefunds);
    const loads = [
      () =>
        load({
          url: `${service.url}/v1/refunds`,
          durationSeconds: seconds,
          body: (n) => refundBody(`${name}R`, n),
        }),
      () =>
        load({
          url: `${service.url}/wechat/refund-notify`,
          contentType: 'text/xml',
          durationSeconds: seconds,
          body: (n) => notifications[n % notifications.length]!,
        }),
      () =>
        load({
          url: `${service.url}/v1/refunds`,
          method: 'GET',
          durationSeconds: seconds,
          path: (n) => `/v1/refunds/P${(n * 7919) % readRefunds}`,
        }),
    ];
    const rates: Rates = [];
    for (const run of loads) {
      await settled(service.url, webhooks);
      rates.push((await run()).requestsPerSecond);
    }
    return rates;
  } finally {
    await service.stop();
    await sink?.close();
  }
};

const prepared = path.join(work, 'prepared');
log(`preparing ${readRefunds} requested refunds`);
await prepopulate(embeddedStores.openLog(prepared), readRefunds);
const loadAtStart = loadAverage();
const rounds: { without: Rates; with: Rates }[] = [];
for (let r = 1; r <= runs; r++) {
  const order = r % 2 === 1 ? [false, true] : [true, false];
  const round: Partial<Record<'with' | 'without', Rates>> = {};
  for (const webhooks of order) {
    log(`round ${r}: figures 2–4 ${webhooks ? 'with one webhook endpoint' : 'without'}`);
    round[webhooks ? 'with' : 'without'] = await measure(
      prepared,
      `${webhooks ? 'W' : 'N'}${r}`,
      webhooks,
    );
  }
  rounds.push({ without: round.without!, with: round.with! });
  log(
    `round ${r}: without ${round.without!.map(Math.round).join(', ')}/s; with ${round.with!.map(Math.round).join(', ')}/s`,
  );
}

const percent = (ratio: number) =>
  `${ratio >= 1 ? '+' : '−'}${Math.abs((ratio - 1) * 100).toFixed(0)}%`;
const rows = figures.map((figure, i) => {
  const ratios = rounds.map((round) => round.with[i]! / round.without[i]!);
  const change = Math.exp(ratios.reduce((sum, ratio) => sum + Math.log(ratio), 0) / ratios.length);
  return `| ${figure} | ${Math.round(median(rounds.map((round) => round.without[i]!))).toLocaleString('en-US')}/s | ${Math.round(median(rounds.map((round) => round.with[i]!))).toLocaleString('en-US')}/s | ${percent(change)} (rounds: ${ratios.map(percent).join(', ')}) | ${change >= 0.9 ? 'met' : '**not met**'} |`;
});
const report = [
  `# Webhooks' cost to the other figures, ${new Date().toISOString()}`,
  '',
  `\`npm run bench:webhook-impact\` (bench/webhookImpact.bench.ts): figures 2–4 of \`npm run bench\`, ${seconds} s each, ${readRefunds} prepared refunds, on the built service without and with one subscribed webhook endpoint, side by side in each of ${runs} rounds. Load average (1, 5, 15 min) at the start ${loadAtStart}, at the end ${loadAverage()}.`,
  '',
  '| figure | without (median) | with one endpoint (median) | change, geometric mean of the rounds | target: at most 10% lower |',
  '|---|---:|---:|---:|---|',
  ...rows,
  '',
].join('\n');
process.stdout.write(report);
log(`written to ${writeOwnResults('webhook-impact', report)}`);
