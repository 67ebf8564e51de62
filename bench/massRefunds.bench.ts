// npm run bench:mass (and last in npm run bench) — issue 19's "Mass refund": a burst of refunds
// drains at WeChat's rate through the built service, against the sandbox in its own process with
// WeChat's rate limit, a SIGKILL in the middle. The calls are counted by the sandbox, not by the
// service. Writes the section "Mass refund" of bench/results/<date>.md.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { liveWechatEnvOf, sandboxLineSchema } from '../src/sandbox/runSandboxCommand.js';
import { sandboxNotificationBody } from '../src/sandbox/sandboxNotifier.js';
import type { ListedSandboxRefund } from '../src/sandbox/sandboxRefund.js';
import {
  callsSchema,
  listAll,
  noneIn,
  postAll,
  probe,
  sandboxGet,
} from './support/massRefundCalls.js';
import { massRefundSection } from './support/massRefundReport.js';
import { metric, root, run, serve, waitFor } from './support/processes.js';
import { dayResultsFile, writeMassRefundResults } from './support/resultsFile.js';

const refunds = Number(process.env['BENCH_MASS_REFUNDS'] ?? 20_000);
const rate = Number(process.env['WECHAT_MAX_RPS'] ?? 100);
const probeSeconds = 10;
const work = mkdtempSync(path.join(os.tmpdir(), 'refunds-mass-'));
const log = (line: string) => process.stderr.write(`${line}\n`);
const load1 = () => os.loadavg()[0]!.toFixed(1);

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
        // Numbers first, then the cut: messages that differ only in their numbers tally as one.
        const msg = /"msg":"([^"]*)/.exec(line)?.[1]?.replace(/\d+/g, 'N').slice(0, 60);
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
  const idle = await probe(service.url, notifications, ids, probeSeconds);

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
  // The drain's probes run on the first instance, warm, before the SIGKILL; the restarted one is
  // probed again, on its own row: a restart mid-drain is not the drain.
  let drainProbed: () => void = () => undefined;
  const drainProbesDone = new Promise<void>((resolve) => (drainProbed = resolve));
  // The SIGKILL once half the burst has been sent, while the posts go on (they are posted again
  // until the restarted service, on the same port, takes them). Not watched before the drain is
  // probed: each look at the sandbox's calls is a large answer to make and to parse, which would
  // load the probed machine and the measuring process.
  const killed = (async () => {
    await drainProbesDone;
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
  loads.push(`after the posts ${load1()}`);
  log(`mass refund: posted in ${postSeconds.toFixed(0)} s; probes during the drain`);
  const waitingBefore = await metric(service.url, 'refunds_waiting_to_send');
  const busy = await probe(service.url, notifications, ids, probeSeconds);
  const waitingAfter = await metric(service.url, 'refunds_waiting_to_send');
  drainProbed();
  const { sentAtKill, downSeconds } = await killed;
  log('mass refund: probes after the restart');
  const restarted = await probe(service.url, notifications, ids, probeSeconds);
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
    restarted,
    waiting: [waitingBefore, waitingAfter],
    mostWaiting,
    notifications: counted.notifications,
    reconciled,
    logged: [...logged].sort((a, b) => b[1] - a[1]).slice(0, 8),
    audit: { status: audit.status, last: audit.stdout.trim().split('\n').slice(-3).join(' / ') },
    loads,
  };
};

try {
  const text = massRefundSection({ refunds, rate, probeSeconds }, await main());
  process.stdout.write(`${text}\n`);
  const file = dayResultsFile();
  writeMassRefundResults(file, text);
  log(`written to ${path.relative(root, file)}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
