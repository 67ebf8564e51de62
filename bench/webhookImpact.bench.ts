// npm run bench:webhook-impact — issue 13's last point measured directly: figures 2–4 of
// `npm run bench` (POST /v1/refunds distinct, POST /wechat/refund-notify, GET /v1/refunds/{id}
// over BENCH_REFUNDS prepared refunds, the gateway draining them as in the bench) with webhooks
// on and off in the same service, in alternating slices.
//
// Why slices in one process: measured on separate services, side by side, the same figure of
// the same build came out 1,812/s in one service and 4,011/s in the next (GET; POST 991–1,870/s)
// — each service run has its own luck (where the drain and the read store's WAL stand), larger
// than the effect. Here one service with one subscribed endpoint (a receiver in a process of its
// own) serves each figure in BENCH_SLICES slices (10) of BENCH_SLICE_SECONDS (5) under the same
// load, the endpoint enabled in half of them and disabled in the other half (a disabled
// endpoint gets no deliveries: the service then delivers nothing, as with no endpoint), in the
// order on, off, off, on, on, off…, so a drift over the figure weighs on both alike. Per
// figure: the geometric mean of the "on" slices' rates ÷ that of the "off" slices', per service
// run, over BENCH_RUNS (2) fresh services.
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { embeddedStores } from './support/benchStores.js';
import { refundBody } from './support/endToEnd.js';
import { load, type LoadOptions } from './support/load.js';
import { notificationsFor, prepopulate } from './support/preparedRefunds.js';
import { metric, serve } from './support/processes.js';
import { loadAverage, writeOwnResults } from './support/resultsFile.js';
import { settled } from './support/settled.js';
import { setEndpointStatus, startWebhookSink, subscribe } from './support/webhookSink.js';

const sliceSeconds = Number(process.env['BENCH_SLICE_SECONDS'] ?? 5);
const slices = Number(process.env['BENCH_SLICES'] ?? 10);
const readRefunds = Number(process.env['BENCH_REFUNDS'] ?? 100_000);
const runs = Number(process.env['BENCH_RUNS'] ?? 2);
if (!Number.isInteger(slices) || slices < 2 || slices % 2 !== 0) {
  throw new Error('BENCH_SLICES: an even number (each pair of slices has one on and one off)');
}
const work = mkdtempSync(path.join(os.tmpdir(), 'refunds-bench-impact-'));
const log = (line: string) => process.stderr.write(`${line}\n`);

const figures = [
  'POST /v1/refunds, distinct',
  'POST /wechat/refund-notify',
  'GET /v1/refunds/{id}',
] as const;

/** on, off, off, on, on, off, off, on…: each pair of slices has one of each, in turn first. */
const onInSlice = (slice: number) => slice % 4 === 0 || slice % 4 === 3;

const geometricMean = (values: readonly number[]) =>
  Math.exp(values.reduce((sum, value) => sum + Math.log(value), 0) / values.length);

type FigureRun = { on: number[]; off: number[]; oldestPendingSeconds: number };

/** Figures 2–4 on a fresh service, each in slices with the endpoint enabled and disabled. */
const measure = async (prepared: string, name: string): Promise<FigureRun[]> => {
  const dataDir = path.join(work, name);
  embeddedStores.seed(prepared, dataDir);
  const service = await serve(embeddedStores.serviceEnv(dataDir, name));
  const sink = await startWebhookSink();
  try {
    const endpointId = await subscribe(service.url, sink.url);
    const notifications = notificationsFor(dataDir, readRefunds);
    const loads: ((slice: number) => LoadOptions)[] = [
      (slice) => ({
        url: `${service.url}/v1/refunds`,
        body: (n) => refundBody(`${name}S${slice}R`, n),
      }),
      () => ({
        url: `${service.url}/wechat/refund-notify`,
        contentType: 'text/xml',
        body: (n) => notifications[n % notifications.length]!,
      }),
      () => ({
        url: `${service.url}/v1/refunds`,
        method: 'GET',
        path: (n) => `/v1/refunds/P${(n * 7919) % readRefunds}`,
      }),
    ];
    const figureRuns: FigureRun[] = [];
    for (const [i, options] of loads.entries()) {
      // The projections caught up; the deliveries owed are not waited for: with the endpoint
      // enabled they are made at the pace the service allows itself under load.
      await settled(service.url, false);
      const run: FigureRun = { on: [], off: [], oldestPendingSeconds: 0 };
      for (let slice = 0; slice < slices; slice++) {
        const on = onInSlice(slice);
        await setEndpointStatus(service.url, endpointId, on ? 'enabled' : 'disabled');
        const { requestsPerSecond } = await load({
          ...options(slice),
          durationSeconds: sliceSeconds,
        });
        (on ? run.on : run.off).push(requestsPerSecond);
      }
      await setEndpointStatus(service.url, endpointId, 'enabled');
      run.oldestPendingSeconds = await metric(
        service.url,
        'webhook_oldest_pending_delivery_seconds',
      ).catch(() => Number.NaN);
      log(
        `${name} ${figures[i]}: on ${run.on.map(Math.round).join(', ')}/s; off ${run.off.map(Math.round).join(', ')}/s; oldest pending delivery ${run.oldestPendingSeconds.toFixed(0)} s`,
      );
      figureRuns.push(run);
    }
    return figureRuns;
  } finally {
    await service.stop();
    await sink.close();
  }
};

const prepared = path.join(work, 'prepared');
log(`preparing ${readRefunds} requested refunds`);
await prepopulate(embeddedStores.openLog(prepared), readRefunds);
const loadAtStart = loadAverage();
const serviceRuns: FigureRun[][] = [];
for (let r = 1; r <= runs; r++) {
  log(`service ${r}: figures 2–4, ${slices} slices of ${sliceSeconds} s each`);
  serviceRuns.push(await measure(prepared, `I${r}`));
}

const percent = (ratio: number) =>
  `${ratio >= 1 ? '+' : '−'}${Math.abs((ratio - 1) * 100).toFixed(0)}%`;
const rate = (value: number) => `${Math.round(value).toLocaleString('en-US')}/s`;
const rows = figures.map((figure, i) => {
  const ofFigure = serviceRuns.map((figureRuns) => figureRuns[i]!);
  const ratios = ofFigure.map(({ on, off }) => geometricMean(on) / geometricMean(off));
  const change = geometricMean(ratios);
  const off = geometricMean(ofFigure.flatMap((run) => run.off));
  const on = geometricMean(ofFigure.flatMap((run) => run.on));
  const backlog = ofFigure.map((run) => `${run.oldestPendingSeconds.toFixed(0)} s`).join(', ');
  return `| ${figure} | ${rate(off)} | ${rate(on)} | ${percent(change)} (services: ${ratios.map(percent).join(', ')}) | ${backlog} | ${change >= 0.9 ? 'met' : '**not met**'} |`;
});
const report = [
  `# Webhooks' cost to the other figures, ${new Date().toISOString()}`,
  '',
  `\`npm run bench:webhook-impact\` (bench/webhookImpact.bench.ts): figures 2–4 of \`npm run bench\`, ${readRefunds} prepared refunds, each in ${slices} slices of ${sliceSeconds} s on one service with one subscribed webhook endpoint, enabled in half the slices and disabled in the others (on, off, off, on…), on ${runs} fresh services. Load average (1, 5, 15 min) at the start ${loadAtStart}, at the end ${loadAverage()}.`,
  '',
  '| figure | endpoint disabled | endpoint enabled | change (geometric means) | oldest pending delivery after the figure | target: at most 10% lower |',
  '|---|---:|---:|---:|---:|---|',
  ...rows,
  '',
].join('\n');
process.stdout.write(report);
log(`written to ${writeOwnResults('webhook-impact', report)}`);
