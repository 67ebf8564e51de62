import os from 'node:os';
import type { EndToEnd } from './endToEnd.js';
import type { LoadResult } from './load.js';
import { median } from './median.js';
import type { WebhookSinkStats } from './webhookSink.js';

export type LoadFigure = 'baseline' | 'commands' | 'commandsRepeated' | 'notifications' | 'reads';

/** One run of figures 1–4 (and 6 on the embedded store), each against the run's own baseline. */
export type ServiceRun = {
  loads: Record<LoadFigure, LoadResult>;
  peakRss: number | undefined;
  storeLimit?: { onePerTransaction: number; groupCommit: number; rawOnePerTransaction: number };
  /** BENCH_WEBHOOKS=1: what the receiver got during figures 2–4. */
  webhooks?: WebhookSinkStats;
};

/** One run of figure 5: v2, v2 with a subscribed receiver, v3, and API v3's RSA cost. */
export type EndToEndRun = {
  e2e: EndToEnd;
  hooks: EndToEnd & { deliveryLagP99Ms: number; events: number; deliveries: number };
  v3: EndToEnd;
  rsa: { signMs: number; verifyMs: number };
};

export type ServiceReportInput = {
  stores: string;
  seconds: number;
  readRefunds: number;
  webhooksOn: boolean;
  load: { start: string; end: string };
  serviceRuns: ServiceRun[];
  endToEndRuns: EndToEndRun[];
};

/** The median over the runs of what `of` reads from each. */
const over = <R>(runs: readonly R[], of: (run: R) => number) => median(runs.map(of));
const round = (n: number) => Math.round(n).toLocaleString('en-US');
const verdict = (met: boolean) => (met ? 'met' : '**not met**');

/**
 * The results of `npm run bench` in the layout of bench/results: every cell the median of the
 * runs, every ratio computed within a run (against that run's baseline) before its median.
 */
export const serviceReport = (input: ServiceReportInput, evidence: string[]): string => {
  const { serviceRuns, endToEndRuns, seconds, readRefunds } = input;
  const runs = serviceRuns.length;
  const ratio = (run: ServiceRun, figure: LoadFigure) =>
    run.loads[figure].requestsPerSecond / run.loads.baseline.requestsPerSecond;
  const errors = (r: LoadResult) => r.errors + r.non2xx;
  const row = (name: string, figure: LoadFigure, target: string, minRatio?: number) => {
    const m = (of: (r: LoadResult) => number) => over(serviceRuns, (run) => of(run.loads[figure]));
    const share = over(serviceRuns, (run) => ratio(run, figure));
    const p99 = m((r) => r.p99Ms);
    const failed = m(errors);
    const met =
      minRatio === undefined ||
      (share >= minRatio && (figure === 'reads' || (p99 <= 25 && failed === 0)));
    return `| ${name} | ${round(m((r) => r.requestsPerSecond))}/s | ${(share * 100).toFixed(0)}% | ${round(m((r) => r.p50Ms))} ms | ${round(p99)} ms | ${round(failed)} | ${target} | ${verdict(met)} |`;
  };
  const e2e = (of: (run: EndToEndRun) => number) => over(endToEndRuns, of);
  const perSecond = e2e((run) => run.e2e.perSecond);
  const hooksShare = e2e((run) => run.hooks.perSecond / run.e2e.perSecond);
  const v3 = e2e((run) => run.v3.perSecond);
  const lag = e2e((run) => run.e2e.lagP99Ms);
  const hooksLag = e2e((run) => run.hooks.lagP99Ms);
  const signMs = e2e((run) => run.rsa.signMs);
  const verifyMs = e2e((run) => run.rsa.verifyMs);
  const v3Ms = signMs + 2 * verifyMs;
  const peaks = serviceRuns.map((run, i) =>
    Math.max(run.peakRss ?? 0, endToEndRuns[i]?.e2e.peakRss ?? 0),
  );
  const peak = median(peaks);
  const limits = serviceRuns.flatMap((run) => (run.storeLimit ? [run.storeLimit] : []));
  const limit = (of: (l: NonNullable<ServiceRun['storeLimit']>) => number) => over(limits, of);
  const cpus = os.cpus();
  return [
    `# Service benchmark, ${new Date().toISOString().slice(0, 10)}`,
    '',
    `Machine: ${cpus.length} × ${cpus[0]?.model ?? 'CPU'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${os.platform()} ${os.release()}.`,
    `Load average (1, 5, 15 min) at the start ${input.load.start}, at the end ${input.load.end}: the ${cpus.length} cores are shared with other work.`,
    `The load generator (autocannon, 64 connections, ${seconds} s per figure) shares the cores with the service.`,
    `Service: built from the repository (\`node bin/refunds.js serve\`), stores: ${input.stores},`,
    `LOG_LEVEL=warn, ${readRefunds} refunds already in its log; the WeChat Pay sandbox in-process (figures 2–4,`,
    'WECHAT_MAX_RPS=100 as by default) or in its own process (figure 5, rate limit lifted).',
    input.webhooksOn
      ? 'Figures 2–4 with one subscribed webhook endpoint (BENCH_WEBHOOKS=1), a local receiver.'
      : 'Figures 2–4 without webhook endpoints (BENCH_WEBHOOKS=1 subscribes one).',
    `Every cell is the median of ${runs} runs (BENCH_RUNS); each run measures its own baseline, and a ratio`,
    "is taken within its run, against that run's baseline, before the median of the ratios.",
    '',
    '| figure | rate | of baseline | p50 | p99 | errors | target | |',
    '|---|---:|---:|---:|---:|---:|---|---|',
    row('1. baseline: bare fastify POST', 'baseline', '—'),
    row('2. POST /v1/refunds, distinct', 'commands', '≥ 40%, p99 ≤ 25 ms, 0 errors', 0.4),
    row(
      '2. POST /v1/refunds, 50% repeats',
      'commandsRepeated',
      '≥ 40%, p99 ≤ 25 ms, 0 errors',
      0.4,
    ),
    row('3. POST /wechat/refund-notify', 'notifications', '≥ 40%, p99 ≤ 25 ms', 0.4),
    row(`4. GET /v1/refunds/{id} (${readRefunds} refunds)`, 'reads', '≥ 60%', 0.6),
    ...figureWebhooks(serviceRuns),
    '',
    '| figure | value | target | |',
    '|---|---:|---|---|',
    `| 5. end to end, POST → SUCCEEDED | ${round(perSecond)} refunds/s (${round(e2e((run) => run.e2e.completed))} of ${round(e2e((run) => run.e2e.accepted))} accepted completed; POSTs at ${round(e2e((run) => run.e2e.posted.requestsPerSecond))}/s) | ≥ 2000/s | ${verdict(perSecond >= 2000)} |`,
    `| 5. projection lag p99 under that load | ${round(lag)} ms | ≤ 250 ms | ${verdict(lag <= 250)} |`,
    `| 5w. end to end with one subscribed webhook endpoint | ${round(e2e((run) => run.hooks.perSecond))} refunds/s = ${(hooksShare * 100).toFixed(0)}% of 5 (${round(e2e((run) => run.hooks.completed))} of ${round(e2e((run) => run.hooks.accepted))} completed) | ≥ 90% of 5 | ${verdict(hooksShare >= 0.9)} |`,
    `| 5w. webhook delivery lag p99 (event recorded → received) | ${round(e2e((run) => run.hooks.deliveryLagP99Ms))} ms (${round(e2e((run) => run.hooks.events))} events, ${round(e2e((run) => run.hooks.deliveries))} deliveries) | | |`,
    `| 5w. projection lag p99 with webhooks | ${round(hooksLag)} ms | ≤ 250 ms | ${verdict(hooksLag <= 250)} |`,
    `| 5. end to end through API v3 | ${round(v3)} refunds/s (${round(e2e((run) => run.v3.completed))} of ${round(e2e((run) => run.v3.accepted))} accepted completed; POSTs at ${round(e2e((run) => run.v3.posted.requestsPerSecond))}/s; lag p99 ${round(e2e((run) => run.v3.lagP99Ms))} ms) | ≥ 2000/s | ${verdict(v3 >= 2000)} |`,
    `| 5. API v3's RSA cost, one core | sign (merchant key, 2048 bits) ${signMs.toFixed(2)} ms, verify ${verifyMs.toFixed(3)} ms: a refund is 1 signature + 2 verifications (answer, notification) ≈ ${v3Ms.toFixed(2)} ms, at most ~${round(1000 / v3Ms)} refunds/s per core | | |`,
    ...(limits.length > 0
      ? [
          `| 6. durable appends, one per transaction | ${round(limit((l) => l.onePerTransaction))}/s (bare SQLite insert: ${round(limit((l) => l.rawOnePerTransaction))}/s) | baseline of 6 | |`,
          `| 6. durable appends, 64 writers (group commit) | ${round(limit((l) => l.groupCommit))}/s = ${limit((l) => l.groupCommit / l.onePerTransaction).toFixed(1)}× one per transaction | | |`,
        ]
      : ['| 6. durable appends | (the embedded store only) | | |']),
    `| 7. peak RSS of the service during 2–5 | ${peak.toFixed(0)} MB (runs: ${peaks.map((p) => p.toFixed(0)).join(', ')}) | ≤ 250 MB | ${verdict(peak <= 250)} |`,
    '',
    ...evidence,
  ].join('\n');
};

/** BENCH_WEBHOOKS=1: the deliveries of figures 2–4 and their lag, under the table. */
const figureWebhooks = (serviceRuns: readonly ServiceRun[]): string[] => {
  const received = serviceRuns.flatMap((run) => (run.webhooks ? [run.webhooks] : []));
  if (received.length === 0) return [];
  return [
    '',
    `Webhooks during figures 2–4 (each figure started once the backlog of the one before was worked off): ${round(over(received, (r) => r.deliveries))} deliveries of ${round(over(received, (r) => r.distinctEvents))} events, delivery lag p99 ${round(over(received, (r) => r.lagP99Ms))} ms (runs: ${received.map((r) => round(r.lagP99Ms)).join(', ')} ms).`,
  ];
};
