// npm run bench:mass (and last in npm run bench) — issue 19's "Mass refund": a burst of refunds
// drains at WeChat's rate through the built service, against the sandbox in its own process with
// WeChat's rate limit, a SIGKILL in the middle. The calls are counted by the sandbox, not by the
// service. Writes the section "Mass refund" of bench/results/<date>.md.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { liveWechatEnvOf, sandboxLineSchema } from '../src/sandbox/runSandboxCommand.js';
import { sandboxNotificationBody } from '../src/sandbox/sandboxNotifier.js';
import type { ListedSandboxRefund } from '../src/sandbox/sandboxRefund.js';
import { refundBody } from './support/endToEnd.js';
import { load } from './support/load.js';
import { metric, root, run, serve, waitFor } from './support/processes.js';
import { dayResultsFile, writeMassRefundResults } from './support/resultsFile.js';

const refunds = Number(process.env['BENCH_MASS_REFUNDS'] ?? 20_000);
const rate = Number(process.env['WECHAT_MAX_RPS'] ?? 100);
const probeSeconds = 10;
const work = mkdtempSync(path.join(os.tmpdir(), 'refunds-mass-'));
const log = (line: string) => process.stderr.write(`${line}\n`);
const load1 = () => os.loadavg()[0]!.toFixed(1);

const callCount = z.object({
  calls: z.number(),
  rateLimited: z.number(),
  byOutRefundNo: z.record(z.string(), z.number()),
});
const callsSchema = z.object({
  refund: callCount,
  query: callCount,
  notifications: z.object({
    attempts: z.number(),
    acknowledged: z.number(),
    failures: z.record(z.string(), z.number()),
  }),
});
const listSchema = z.object({
  data: z.array(z.object({ outRefundNo: z.string(), status: z.string(), updatedAt: z.string() })),
  nextCursor: z.string().nullable(),
});

/** Reads a sandbox control endpoint (over its own CA). */
const sandboxGet = (baseUrl: string, caPath: string, what: string) =>
  new Promise<unknown>((resolve, reject) => {
    https
      .get(`${baseUrl}${what}`, { ca: readFileSync(caPath) }, (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (body += chunk));
        response.on('end', () => resolve(JSON.parse(body)));
      })
      .on('error', reject);
  });

/** Posts refunds prefix0…prefix(count-1) from 64 connections, each again until it is taken. */
const postAll = async (url: string, prefix: string, count: number) => {
  let next = 0;
  let retries = 0;
  const worker = async () => {
    for (let n = next++; n < count; n = next++) {
      for (;;) {
        const answer = await fetch(`${url}/v1/refunds`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: refundBody(prefix, n),
        }).catch(() => undefined);
        await answer?.arrayBuffer();
        if (answer && answer.status < 300) break;
        retries += 1;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  };
  await Promise.all(Array.from({ length: 64 }, worker));
  return retries;
};

/** Every refund of a status, paging through GET /v1/refunds. */
const listAll = async (url: string, status: string) => {
  const all: z.infer<typeof listSchema>['data'] = [];
  let cursor: string | null = '';
  while (cursor !== null) {
    const query = `status=${status}&limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const page = listSchema.parse(await (await fetch(`${url}/v1/refunds?${query}`)).json());
    all.push(...page.data);
    cursor = page.nextCursor;
  }
  return all;
};

const noneIn = async (url: string, status: string) =>
  listSchema.parse(await (await fetch(`${url}/v1/refunds?status=${status}&limit=1`)).json()).data
    .length === 0;

/** p99 of duplicate notifications, then of reads, each a steady 40 requests a second. */
const probe = async (url: string, notifications: string[], ids: string[]) => {
  const notify = await load({
    url: `${url}/wechat/refund-notify`,
    contentType: 'text/xml',
    connections: 8,
    overallRate: 40,
    durationSeconds: probeSeconds,
    body: (n) => notifications[n % notifications.length]!,
  });
  const read = await load({
    url: `${url}/v1/refunds`,
    method: 'GET',
    connections: 8,
    overallRate: 40,
    durationSeconds: probeSeconds,
    path: (n) => `/v1/refunds/${ids[n % ids.length]!}`,
  });
  return { notify, read };
};

const main = async () => {
  const loads = [`start ${load1()}`];
  const sandbox = run(
    'node',
    ['bin/refunds.js', 'sandbox', '--certs', path.join(work, 'wechat'), '--max-rps', String(rate)],
    { LOG_LEVEL: 'warn' },
  );
  const wechat = sandboxLineSchema.parse(JSON.parse(await sandbox.firstLine));
  const calls = async () =>
    callsSchema.parse(await sandboxGet(wechat.baseUrl, wechat.caPath, '/sandbox/calls'));
  const dataDir = path.join(work, 'data');
  const env = {
    DATA_DIR: dataDir,
    ...liveWechatEnvOf(wechat),
    WECHAT_MAX_RPS: String(rate),
    RECONCILE_AFTER_SECONDS: '10',
  };
  // The service's log (warn and above), both instances, tallied by message for the evidence.
  const logged = new Map<string, number>();
  const tallyLog = (instance: Awaited<ReturnType<typeof serve>>) => {
    let rest = '';
    instance.child.stdout?.on('data', (chunk: Buffer) => {
      const lines = (rest + chunk.toString()).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) {
        const msg = /"msg":"([^"]{0,60})/.exec(line)?.[1]?.replace(/\d+/g, 'N');
        if (msg) logged.set(msg, (logged.get(msg) ?? 0) + 1);
      }
    });
  };
  let service = await serve(env);
  tallyLog(service);

  log('mass refund: 100 refunds to probe with, settled');
  await postAll(service.url, 'I', 100);
  await waitFor(
    async () => (await listAll(service.url, 'SUCCEEDED')).length >= 100,
    120_000,
    'the probe refunds',
  );
  const probeRefunds = z
    .array(
      z.custom<ListedSandboxRefund>((v) => typeof v === 'object' && v !== null && 'refundId' in v),
    )
    .parse(await sandboxGet(wechat.baseUrl, wechat.caPath, '/sandbox/refunds'));
  const notifications = probeRefunds.map((refund) => sandboxNotificationBody(refund, wechat));
  const ids = probeRefunds.map((refund) => refund.outRefundNo);
  log('mass refund: idle probes');
  const idle = await probe(service.url, notifications, ids);

  log(`mass refund: posting ${refunds} refunds (load average ${load1()})`);
  const firstPost = Date.now();
  let mostWaiting = 0;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      const waiting = await metric(service.url, 'refunds_waiting_to_send').catch(() => 0);
      mostWaiting = Math.max(mostWaiting, waiting);
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
  })();
  // The SIGKILL once half the burst has been sent, while the posts go on (they are posted again
  // until the restarted service, on the same port, takes them).
  const killed = (async () => {
    await waitFor(
      async () => (await calls()).refund.calls >= 100 + refunds / 2,
      3_600_000,
      'half the burst to be sent',
    );
    const sentAtKill = (await calls()).refund.calls - 100;
    log(`mass refund: SIGKILL with ${sentAtKill} of ${refunds} sent`);
    const killedAt = Date.now();
    service.child.kill('SIGKILL');
    await service.stop();
    service = await serve(env, Number(new URL(service.url).port));
    tallyLog(service);
    return { sentAtKill, downSeconds: (Date.now() - killedAt) / 1000 };
  })();
  const postRetries = await postAll(service.url, 'M', refunds);
  const postSeconds = (Date.now() - firstPost) / 1000;
  const { sentAtKill, downSeconds } = await killed;
  loads.push(`after the posts ${load1()}`);
  log(`mass refund: posted in ${postSeconds.toFixed(0)} s; probes during the drain`);
  const waitingBefore = await metric(service.url, 'refunds_waiting_to_send');
  const busy = await probe(service.url, notifications, ids);
  const waitingAfter = await metric(service.url, 'refunds_waiting_to_send');
  await waitFor(
    async () => (await noneIn(service.url, 'REQUESTED')) && (await noneIn(service.url, 'ACCEPTED')),
    Math.max(600_000, (30 * refunds * 1000) / rate),
    'the backlog to drain',
  );
  const succeeded = (await listAll(service.url, 'SUCCEEDED')).filter((r) =>
    r.outRefundNo.startsWith('M'),
  );
  const failed = (await listAll(service.url, 'FAILED')).length;
  const drainSeconds =
    (Math.max(...succeeded.map((r) => Date.parse(r.updatedAt))) - firstPost) / 1000;
  loads.push(`drained ${load1()}`);
  sampling = false;
  await sampler;
  const reconciled = (await (await fetch(`${service.url}/metrics`)).text())
    .split('\n')
    .filter((line) => /^reconciler_refunds_total\{/.test(line))
    .map((line) => line.replace('reconciler_refunds_total', ''))
    .join(', ');
  await service.stop();
  const counted = await calls();
  await sandbox.stop();
  const audit = spawnSync('node', ['bin/refunds.js', 'audit'], {
    cwd: root,
    env: { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'warn' },
    encoding: 'utf8',
  });

  const ofBurst = (byOutRefundNo: Record<string, number>) =>
    Object.entries(byOutRefundNo).filter(([no]) => no.startsWith('M'));
  const sends = ofBurst(counted.refund.byOutRefundNo);
  const sendCalls = sends.reduce((sum, [, n]) => sum + n, 0);
  const queries = ofBurst(counted.query.byOutRefundNo).reduce((sum, [, n]) => sum + n, 0);
  const mostSends = Math.max(0, ...sends.map(([, n]) => n));
  const sentAgain = sends.filter(([, n]) => n > 1).length;
  return {
    postSeconds,
    postRetries,
    drainSeconds,
    downSeconds,
    sentAtKill,
    succeeded: succeeded.length,
    failed,
    sendCalls,
    queries,
    rateLimited: counted.refund.rateLimited + counted.query.rateLimited,
    mostSends,
    sentAgain,
    unsent: refunds - sends.length,
    idle,
    busy,
    waiting: [waitingBefore, waitingAfter],
    mostWaiting,
    notifications: counted.notifications,
    reconciled,
    logged: [...logged].sort((a, b) => b[1] - a[1]).slice(0, 8),
    audit: { status: audit.status, last: audit.stdout.trim().split('\n').slice(-3).join(' / ') },
    loads,
  };
};

type Figures = Awaited<ReturnType<typeof main>>;

const section = (f: Figures): string => {
  const bound = 1.1 * (refunds / rate);
  const row = (figure: string, value: string, target: string, met: boolean) =>
    `| ${figure} | ${value} | ${target} | ${met ? 'met' : '**not met**'} |`;
  const p99 = (name: string, idle: number, busy: number) =>
    row(
      `p99 of ${name}, idle → during the drain`,
      `${idle} ms → ${busy} ms (${(busy / Math.max(idle, 1)).toFixed(1)}×)`,
      '≤ 2× idle',
      busy <= 2 * Math.max(idle, 1),
    );
  return [
    '## Mass refund',
    '',
    `\`npm run bench:mass\` (bench/massRefunds.bench.ts), ${new Date().toISOString()}: ${refunds} distinct refunds posted`,
    `from 64 connections as fast as the service took them (${f.postSeconds.toFixed(0)} s, ${Math.round(refunds / f.postSeconds)}/s, ${f.postRetries} re-posts),`,
    `to the built service (embedded SQLite, live mode, WECHAT_MAX_RPS=${rate}, RECONCILE_AFTER_SECONDS=10) against`,
    `\`refunds sandbox --max-rps ${rate}\` in its own process; the calls are counted by the sandbox.`,
    `The service was SIGKILLed with ${f.sentAtKill} refunds sent and restarted on the same DATA_DIR`,
    `(${f.downSeconds.toFixed(1)} s from the kill to ready). p99 probes: 40 requests/s for ${probeSeconds} s each, idle before`,
    `the burst and during the drain (${f.waiting[0]} → ${f.waiting[1]} refunds waiting to be sent meanwhile).`,
    `Load average (1 min, 2 shared cores): ${f.loads.join(', ')}.`,
    '',
    '| figure | value | target | |',
    '|---|---:|---|---|',
    row(
      'drain time, first POST → last SUCCEEDED',
      `${f.drainSeconds.toFixed(0)} s (${(f.drainSeconds - f.downSeconds).toFixed(0)} s without the restart)`,
      `≤ ${bound.toFixed(0)} s (1.1 × ${refunds} ÷ ${rate})`,
      f.drainSeconds <= bound,
    ),
    row(
      'WeChat refund calls per refund',
      `${(f.sendCalls / refunds).toFixed(3)} (${f.sendCalls} calls)`,
      '≤ 1.02',
      f.sendCalls <= 1.02 * refunds,
    ),
    row(
      'refund queries',
      `${f.queries} (${((f.queries / refunds) * 100).toFixed(2)}%)`,
      '≤ 2% of refunds',
      f.queries <= 0.02 * refunds,
    ),
    p99('duplicate POST /wechat/refund-notify', f.idle.notify.p99Ms, f.busy.notify.p99Ms),
    p99('GET /v1/refunds/{id}', f.idle.read.p99Ms, f.busy.read.p99Ms),
    row(
      'after the SIGKILL: SUCCEEDED, lost, sent most',
      `${f.succeeded} of ${refunds} SUCCEEDED, ${f.failed} FAILED, ${f.unsent} never sent; at most ${f.mostSends} sends (${f.sentAgain} sent twice)`,
      'all SUCCEEDED, none lost, ≤ 2 sends each',
      f.succeeded === refunds && f.unsent === 0 && f.mostSends <= 2,
    ),
    row(
      '`refunds audit` afterwards',
      `exit ${f.audit.status} (${f.audit.last})`,
      'exit 0',
      f.audit.status === 0,
    ),
    '',
    `Most refunds waiting to be sent (refunds_waiting_to_send, sampled every 2 s): ${f.mostWaiting}. Calls the sandbox refused over its rate limit (FREQUENCY_LIMITED): ${f.rateLimited}. Probe errors: idle ${f.idle.notify.errors + f.idle.notify.non2xx + f.idle.read.errors + f.idle.read.non2xx}, during the drain ${f.busy.notify.errors + f.busy.notify.non2xx + f.busy.read.errors + f.busy.read.non2xx}.`,
    `Notifications the sandbox attempted: ${f.notifications.attempts}, acknowledged ${f.notifications.acknowledged}; not acknowledged, by reply: ${JSON.stringify(f.notifications.failures)}.`,
    `Reconciler after the restart: ${f.reconciled || 'no refund'}.`,
    `The service's log at warn and above, by message (both instances): ${f.logged.map(([msg, n]) => `${n} × "${msg}"`).join('; ') || 'nothing'}.`,
    '',
  ].join('\n');
};

try {
  const text = section(await main());
  process.stdout.write(`${text}\n`);
  const file = dayResultsFile();
  writeMassRefundResults(file, text);
  log(`written to ${path.relative(root, file)}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
