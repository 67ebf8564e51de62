import type { NotificationTally } from '../../src/sandbox/sandboxNotifier.js';
import type { ProbeFigures } from './massRefundCalls.js';

/** What the mass refund bench measured (bench/massRefunds.bench.ts). */
export type MassRefundFigures = {
  postSeconds: number;
  postRetries: number;
  drainSeconds: number;
  downSeconds: number;
  sentAtKill: number;
  succeeded: number;
  failed: number;
  sendCalls: number;
  queries: number;
  rateLimited: number;
  mostSends: number;
  sentAgain: number;
  unsent: number;
  idle: ProbeFigures;
  busy: ProbeFigures;
  /** The same probes on the restarted service, at once after the SIGKILL. */
  restarted: ProbeFigures;
  waiting: number[];
  mostWaiting: number;
  notifications: NotificationTally;
  reconciled: string;
  logged: [string, number][];
  audit: { status: number | null; last: string };
  loads: string[];
};

/** The bench's conditions: refunds in the burst, WeChat's rate, each probe's length. */
export type MassRefundRun = { refunds: number; rate: number; probeSeconds: number };

/** The results file's section "## Mass refund". */
export const massRefundSection = (
  { refunds, rate, probeSeconds }: MassRefundRun,
  f: MassRefundFigures,
): string => {
  const bound = 1.1 * (refunds / rate);
  const row = (figure: string, value: string, target: string, met: boolean) =>
    `| ${figure} | ${value} | ${target} | ${met ? 'met' : '**not met**'} |`;
  const p99 = (name: string, idle: number, busy: number, when = 'during the drain') =>
    row(
      `p99 of ${name}, idle → ${when}`,
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
    `the burst, during the drain before the SIGKILL (${f.waiting[0]} → ${f.waiting[1]} refunds waiting to be sent meanwhile),`,
    'and again on the restarted service as soon as it is ready.',
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
    p99(
      'duplicate POST /wechat/refund-notify',
      f.idle.notify.p99Ms,
      f.restarted.notify.p99Ms,
      'the first 10 s after the restart',
    ),
    p99('GET /v1/refunds/{id}', f.idle.read.p99Ms, f.restarted.read.p99Ms, 'the 10 s after those'),
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
    `Most refunds waiting to be sent (refunds_waiting_to_send, sampled every 2 s): ${f.mostWaiting}. Calls the sandbox refused over its rate limit (FREQUENCY_LIMITED): ${f.rateLimited}. Probe errors: idle ${f.idle.notify.errors + f.idle.notify.non2xx + f.idle.read.errors + f.idle.read.non2xx}, during the drain ${f.busy.notify.errors + f.busy.notify.non2xx + f.busy.read.errors + f.busy.read.non2xx}, after the restart ${f.restarted.notify.errors + f.restarted.notify.non2xx + f.restarted.read.errors + f.restarted.read.non2xx}.`,
    `Notifications the sandbox attempted: ${f.notifications.attempts}, acknowledged ${f.notifications.acknowledged}; not acknowledged, by reply: ${JSON.stringify(f.notifications.failures)}.`,
    `Reconciler after the restart: ${f.reconciled || 'no refund'}.`,
    `The service's log at warn and above, by message (both instances): ${f.logged.map(([msg, n]) => `${n} × "${msg}"`).join('; ') || 'nothing'}.`,
    '',
  ].join('\n');
};
