import { randomUUID } from 'node:crypto';
import { RefundRuleViolation } from '../domain/index.js';
import { backoffDelay } from './backoff.js';
import { retryLogLevel } from './retryLogLevel.js';
import type { CommandContext } from './eventMetadata.js';
import type { RefundCommandHandler } from './handleRefundCommand.js';
import { createPauser } from './pauser.js';
import type { Clock } from './ports/clock.js';
import type { Log } from './ports/log.js';
import type { RefundGateway, RefundQueryOutcome } from './ports/refundGateway.js';
import { commandForReport } from './refundReport.js';
import type { sendRefund } from './sendRefund.js';

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
  /** Refunds REQUESTED or ACCEPTED whose last change is older than the given instant. */
  findStale: (changedBefore: string) => Promise<StaleRefund[]>;
  gateway: RefundGateway;
  handle: RefundCommandHandler;
  send: ReturnType<typeof sendRefund>;
  clock: Clock;
  log: Log;
  random: () => number;
  afterMs: number;
  intervalMs: number;
};

/**
 * Finds refunds a lost notification or a crash left unsettled and asks WeChat (refundquery).
 * Its answers become the same commands a notification or the gateway would have issued.
 */
export const createReconciler = ({
  findStale,
  gateway,
  handle,
  send,
  clock,
  log,
  random,
  afterMs,
  intervalMs,
}: ReconcilerOptions) => {
  /** Refunds WeChat had no news of, and when to ask again. */
  const later = new Map<string, { failures: number; at: number }>();
  const pauser = createPauser();
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
      // REFUNDNOTEXIST: our request never reached WeChat (a crash, a lost answer): send it again.
      const result = await send(outRefundNo, refund.attempt, context);
      return result.kind === 'recorded' ? 'resent' : 'unchanged';
    }
    if (outcome.kind !== 'found') {
      log.warn({ outRefundNo, code: outcome.code }, 'refund query gave no answer');
      return 'failed';
    }
    // The same command a notification of this outcome would have issued, with the same checks.
    const result = await handle(commandForReport(outcome.report, at), context);
    return result.appended.length > 0 ? 'settled' : 'unchanged';
  };

  const runOnce = async (): Promise<ReconcileRun> => {
    const now = clock.now().getTime();
    const stale = await findStale(new Date(now - afterMs).toISOString());
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

  const loop = async (onRun: (run: ReconcileRun) => void): Promise<void> => {
    while (!stopped) {
      await pauser.pause(intervalMs);
      if (stopped) return;
      try {
        onRun(await runOnce());
      } catch (error) {
        log[retryLogLevel(error)]({ err: error }, 'reconciler run failed');
      }
    }
  };

  let running: Promise<void> | undefined;
  return {
    runOnce,
    start: (onRun: (run: ReconcileRun) => void = () => undefined): void => {
      running ??= loop(onRun);
    },
    stop: async (): Promise<void> => {
      stopped = true;
      pauser.stop();
      await running;
    },
  };
};
