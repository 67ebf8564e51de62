// npm run bench:webhook-sender — what one webhook attempt costs the process that sends it: the
// service's sender on its poster (webhookHttpPost.ts, undici) in this thread, and the same sender
// on node's http client as the poster was before (bench/support/nodeHttpWebhookPoster.ts). A receiver in a process of its own on loopback
// (bench/support/webhookSinkServer.ts: 204 at once, keep-alive) takes BENCH_ATTEMPTS (20,000)
// attempts per round, each a ~1.5 kB event object with the real Standard Webhooks headers,
// BENCH_IN_FLIGHT (12) at a time. The two senders alternate, BENCH_RUNS (3, at least 3) rounds
// each; the median of each. Figures: this process's CPU time per attempt (user + system: the
// figure least disturbed by other work on a shared machine) and attempts/s.
// Writes bench/results/webhook-sender-<date>.md.
import { systemClock } from '../src/application/ports/clock.js';
import {
  createWebhookHttpPoster,
  type WebhookPoster,
  type WebhookPosterOptions,
} from '../src/infrastructure/webhooks/webhookHttpPost.js';
import { createWebhookHttpSender } from '../src/infrastructure/webhooks/webhookHttpSender.js';
import { createWebhookUrlPolicy } from '../src/infrastructure/webhooks/webhookUrlPolicy.js';
import { median } from './support/median.js';
import { createNodeHttpWebhookPoster } from './support/nodeHttpWebhookPoster.js';
import { loadAverage, writeOwnResults } from './support/resultsFile.js';
import { startWebhookSink } from './support/webhookSink.js';

const attempts = Number(process.env['BENCH_ATTEMPTS'] ?? 20_000);
const inFlight = Number(process.env['BENCH_IN_FLIGHT'] ?? 12);
const runs = Math.max(3, Number(process.env['BENCH_RUNS'] ?? 3));
const secrets = ['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'];
const log = (line: string) => process.stderr.write(`${line}\n`);

/** An event object of the size the service sends (a refund.succeeded with its refund view). */
const eventObject = (n: number): string => {
  const outRefundNo = `R2026113000${String(n).padStart(8, '0')}`;
  return JSON.stringify({
    id: `evt_${String(n).padStart(26, '0')}`,
    type: 'refund.succeeded',
    createdAt: new Date().toISOString(),
    data: {
      object: {
        outRefundNo,
        outTradeNo: `T2026113000${String(n).padStart(8, '0')}`,
        transactionId: `4200000001202611300${String(n).padStart(9, '0')}`,
        refundId: `50000000012026113000${String(n).padStart(10, '0')}`,
        status: 'SUCCEEDED',
        totalFee: 100_000,
        refundFee: 25_000,
        settlementRefundFee: 25_000,
        cashRefundFee: 25_000,
        refundRecvAccount: '支付用户零钱',
        refundAccount: 'REFUND_SOURCE_UNSETTLED_FUNDS',
        refundRequestSource: 'API',
        reason: 'The customer returned part of the order; the remainder stays with the merchant.',
        notifyUrl: 'https://merchant.example/hooks/refund-outcome',
        requestedAt: '2026-11-30T08:00:00.000Z',
        acceptedAt: '2026-11-30T08:00:01.000Z',
        succeededAt: '2026-11-30T08:00:09.000Z',
        successTime: '2026-11-30T16:00:09+08:00',
        attempts: [{ at: '2026-11-30T08:00:00.500Z', outcome: 'ACCEPTED', code: 'SUCCESS' }],
        metadata: { orderLine: 'SKU-0042 x1', channel: 'mini-program', store: 'Shanghai 07' },
        version: 3,
        padding: 'x'.repeat(640),
      },
    },
  });
};

type Figure = { cpuMsPerAttempt: number; perSecond: number };
type MakePoster = (options: WebhookPosterOptions) => WebhookPoster;

/** The service's sender (policy, signature) on the poster, in this thread, as tests compose it. */
const measure = async (make: MakePoster, url: string, count: number): Promise<Figure> => {
  const policy = createWebhookUrlPolicy({ allowPrivate: true });
  const sender = createWebhookHttpSender({
    policy: policy.check,
    poster: make({ lookup: policy.lookup, timeoutMs: 15_000 }),
    clock: systemClock,
  });
  const bodies = Array.from({ length: 64 }, (_, n) => eventObject(n));
  let next = 0;
  let failed = 0;
  const worker = async () => {
    for (let n = next++; n < count; n = next++) {
      const result = await sender.send({
        url,
        webhookId: `evt_${n}`,
        body: bodies[n % bodies.length]!,
        secrets,
      });
      if (result.kind !== 'answered' || result.status !== 204) failed++;
    }
  };
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  await Promise.all(Array.from({ length: inFlight }, worker));
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  sender.close();
  if (failed > 0) throw new Error(`${failed} of ${count} attempts were not answered 204`);
  return { cpuMsPerAttempt: (cpu.user + cpu.system) / 1000 / count, perSecond: count / seconds };
};

const senders: { name: string; make: MakePoster }[] = [
  { name: "node's http client (before)", make: createNodeHttpWebhookPoster },
  { name: 'undici (the poster now)', make: createWebhookHttpPoster },
];

const main = async () => {
  const sink = await startWebhookSink();
  try {
    const loadBefore = loadAverage();
    log(`warming up both senders (${Math.min(attempts, 2_000)} attempts each)`);
    for (const { make } of senders) await measure(make, sink.url, Math.min(attempts, 2_000));
    const figures = senders.map(() => [] as Figure[]);
    for (let run = 1; run <= runs; run++) {
      // Alternate which goes first, so that neither always follows the other.
      const order = run % 2 === 1 ? [0, 1] : [1, 0];
      for (const i of order) {
        log(`run ${run}/${runs}: ${senders[i]!.name}, ${attempts} attempts`);
        figures[i]!.push(await measure(senders[i]!.make, sink.url, attempts));
      }
    }
    const cpu = figures.map((all) => median(all.map((f) => f.cpuMsPerAttempt)));
    const rate = figures.map((all) => median(all.map((f) => f.perSecond)));
    const row = (i: number) =>
      `| ${senders[i]!.name} | ${cpu[i]!.toFixed(3)} ms | ${(cpu[i]! / cpu[0]!).toFixed(2)} | ` +
      `${rate[i]!.toFixed(0)}/s | ${(rate[i]! / rate[0]!).toFixed(2)} | ` +
      `${figures[i]!.map((f) => f.cpuMsPerAttempt.toFixed(3)).join(', ')} |`;
    const report = [
      `# Webhook sender: CPU per attempt, ${new Date().toISOString().slice(0, 10)}`,
      '',
      `${attempts} attempts per round to a receiver in another process on loopback (204, keep-alive),`,
      `${inFlight} in flight, a ${eventObject(0).length}-byte body signed per attempt; the senders`,
      `alternate, median of ${runs} rounds each. CPU: this process, user + system. Load average`,
      `${loadBefore} before, ${loadAverage()} after.`,
      '',
      '| sender | CPU per attempt | ratio | attempts/s | ratio | CPU of each round |',
      '|---|---:|---:|---:|---:|---|',
      row(0),
      row(1),
      '',
    ].join('\n');
    process.stdout.write(report);
    const file = writeOwnResults('webhook-sender', report);
    log(`written to ${file}`);
  } finally {
    await sink.close();
  }
};

await main();
