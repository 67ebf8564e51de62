import { randomUUID } from 'node:crypto';
import { RefundRuleViolation } from '../domain/index.js';
import { backoffDelay } from './backoff.js';
import { retryLogLevel } from './retryLogLevel.js';
import type { CommandContext } from './eventMetadata.js';
import type { RefundCommandHandler } from './handleRefundCommand.js';
import type { Clock } from './ports/clock.js';
import type { Log } from './ports/log.js';
import type { RefundGateway, RefundQueryOutcome } from './ports/refundGateway.js';
import { commandForReport } from './refundReport.js';
import { startRepeating } from './startRepeating.js';
import type { SendAttempts } from './sendAttempts.js';

export type StaleRefund = {
  outRefundNo: string;
  status: 'REQUESTED' | 'ACCEPTED';
  attempt: number;
};

export type ReconcileRun = {
  /** Refunds found stale in the pass, those it let wait for their next turn included. */
  stale: number;
  checked: number;
  settled: number;
  resent: number;
  unchanged: number;
  failed: number;
};

export type ReconcilerOptions = {
  /** ACCEPTED refunds accepted before the instant: their notification is overdue. */
  findAcceptedBefore: (instant: string) => Promise<StaleRefund[]>;
  /** The gateway's notes of sends not answered yet. */
  attempts: SendAttempts;
  /** A refund's status and attempt as the read side has it. */
  getRefund: (outRefundNo: string) => Promise<{ status: string; attempt: number } | undefined>;
  gateway: RefundGateway;
  handle: RefundCommandHandler;
  /** Gives a refund WeChat never heard of back to the gateway; true when it was (re)sent. */
  handOff: (outRefundNo: string, attempt: number, context: CommandContext) => Promise<boolean>;
  clock: Clock;
  log: Log;
  random: () => number;
  afterMs: number;
  intervalMs: number;
  /** Refunds queried in one pass at most; the rest wait for the next. */
  maxPerPass?: number;
};

/**
 * Finds refunds a lost notification or a crash left unsettled and asks WeChat (refundquery).
 * Its answers become the same commands a notification or the gateway would have issued.
 *
 * Only refunds that are lost, never those merely queued: an ACCEPTED refund whose notification is
 * overdue by afterMs since its acceptance, and a REQUESTED one whose send the gateway noted more
 * than afterMs ago with no answer since (see SendAttempts). A REQUESTED refund the gateway has
 * not reached is its own, however long the backlog. Its queries take only the WeChat rate sends
 * leave (the client's limiter), and it never sends: a refund WeChat never heard of goes back to
 * the gateway.
 */
export const createReconciler = ({
  findAcceptedBefore,
  attempts,
  getRefund,
  gateway,
  handle,
  handOff,
  clock,
  log,
  random,
  afterMs,
  intervalMs,
  maxPerPass = 1000,
}: ReconcilerOptions) => {
  /** Refunds WeChat had no news of, and when to ask again. */
  const later = new Map<string, { failures: number; at: number }>();
  let stopped = false;

  const postpone = (outRefundNo: string): void => {
    const failures = (later.get(outRefundNo)?.failures ?? 0) + 1;
    const delay = backoffDelay(failures, { baseMs: afterMs, maxMs: 6 * 3600_000, random });
    later.set(outRefundNo, { failures, at: clock.now().getTime() + delay });
  };

  const settle = async (
    refund: StaleRefund,
    outcome: RefundQueryOutcome,
    context: CommandContext,
  ): Promise<keyof Omit<ReconcileRun, 'checked'>> => {
    const at = clock.now().toISOString();
    const { outRefundNo } = refund;
    if (outcome.kind === 'not_found') {
      if (refund.status !== 'REQUESTED') {
        log.error({ outRefundNo }, 'WeChat Pay does not know a refund it accepted');
        return 'failed';
      }
      // REFUNDNOTEXIST: our request never reached WeChat (a crash, a lost call): the gateway
      // sends it again, with its pacing and its budget.
      return (await handOff(outRefundNo, refund.attempt, context)) ? 'resent' : 'unchanged';
    }
    if (outcome.kind !== 'found') {
      log.warn({ outRefundNo, code: outcome.code }, 'refund query gave no answer');
      return 'failed';
    }
    // The same command a notification of this outcome would have issued, with the same checks.
    const result = await handle(commandForReport(outcome.report, at), context);
    return result.appended.length > 0 ? 'settled' : 'unchanged';
  };

  /** REQUESTED refunds whose noted send is older than the instant; notes of answered ones go. */
  const unansweredSends = async (instant: string): Promise<StaleRefund[]> => {
    const stale: StaleRefund[] = [];
    for (const sent of await attempts.startedBefore(instant, maxPerPass)) {
      const refund = await getRefund(sent.outRefundNo);
      if (refund?.status === 'REQUESTED' && refund.attempt === sent.attempt) {
        stale.push({ outRefundNo: sent.outRefundNo, status: 'REQUESTED', attempt: sent.attempt });
      } else if (refund !== undefined) {
        await attempts.ended(sent.outRefundNo);
      }
    }
    return stale;
  };

  const runOnce = async (): Promise<ReconcileRun> => {
    const now = clock.now().getTime();
    const before = new Date(now - afterMs).toISOString();
    const stale = [...(await unansweredSends(before)), ...(await findAcceptedBefore(before))];
    const run: ReconcileRun = {
      stale: stale.length,
      checked: 0,
      settled: 0,
      resent: 0,
      unchanged: 0,
      failed: 0,
    };
    const runId = randomUUID();
    for (const refund of stale) {
      if (stopped) break;
      if ((later.get(refund.outRefundNo)?.at ?? 0) > now) continue;
      if (run.checked >= maxPerPass) break;
      run.checked += 1;
      const context = { correlationId: runId, causationId: runId, source: 'reconciler' } as const;
      try {
        const outcome = await settle(
          refund,
          await gateway.queryRefund(refund.outRefundNo),
          context,
        );
        run[outcome] += 1;
        if (outcome === 'settled' || outcome === 'resent') later.delete(refund.outRefundNo);
        else postpone(refund.outRefundNo);
      } catch (error) {
        run.failed += 1;
        postpone(refund.outRefundNo);
        const level = error instanceof RefundRuleViolation ? 'warn' : retryLogLevel(error);
        log[level]({ outRefundNo: refund.outRefundNo, err: error }, 'reconciling a refund failed');
      }
    }
    if (run.checked > 0) log.info({ ...run }, 'reconciled stale refunds');
    return run;
  };

  let running: { stop: () => Promise<void> } | undefined;
  return {
    runOnce,
    start: (onRun: (run: ReconcileRun) => void = () => undefined): void => {
      running ??= startRepeating({
        round: async () => onRun(await runOnce()),
        intervalMs,
        log,
        failure: 'reconciler run failed',
        pauseFirst: true,
      });
    },
    stop: async (): Promise<void> => {
      // Also ends a run in progress between two refunds.
      stopped = true;
      await running?.stop();
    },
  };
};
