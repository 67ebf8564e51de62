import type { Clock } from './ports/clock.js';
import type { Log } from './ports/log.js';
import type { SendAttempts } from './sendAttempts.js';
import { startRepeating } from './startRepeating.js';
import { yieldToEventLoop } from './yieldToEventLoop.js';

/** A REQUESTED refund as the read side has it: which attempt, requested (or retried) when. */
export type RequestedRefund = { outRefundNo: string; attempt: number; since: string };

export type SendBacklog = {
  /** Refunds REQUESTED whose send the gateway has not started. */
  waiting: number;
  /** How long the oldest of them has waited, in seconds; 0 when none waits. */
  oldestWaitSeconds: number;
  /** waiting ÷ WECHAT_MAX_RPS: how long sending them takes at best; undefined without a limit. */
  drainSeconds: number | undefined;
};

/**
 * Watches the refunds waiting for the gateway (DESIGN: a backlog drains at WECHAT_MAX_RPS): how
 * many, the oldest wait, and at warn the time the backlog takes to drain once it exceeds a minute
 * of sending. Read from the read models every intervalMs, not per scrape: a mass refund makes
 * the list long.
 */
/** After any instant a send can be noted at. */
const everSent = '9999-12-31T23:59:59.999Z';

export const createSendBacklog = ({
  requested,
  attempts,
  clock,
  log,
  perSecond,
  intervalMs,
}: {
  /** The REQUESTED refunds, page by page (the measure yields to other work between pages). */
  requested: () => AsyncIterable<RequestedRefund[]>;
  attempts: SendAttempts;
  clock: Clock;
  log: Log;
  /** WECHAT_MAX_RPS; 0: no limit. */
  perSecond: number;
  intervalMs: number;
}) => {
  let last: SendBacklog = { waiting: 0, oldestWaitSeconds: 0, drainSeconds: 0 };

  const measure = async (): Promise<SendBacklog> => {
    const now = clock.now();
    const sent = new Set(
      (await attempts.startedBefore(everSent, Number.MAX_SAFE_INTEGER)).map(
        (noted) => `${noted.outRefundNo}\u0000${noted.attempt}`,
      ),
    );
    let waiting = 0;
    let oldest: string | undefined;
    for await (const page of requested()) {
      for (const refund of page) {
        if (sent.has(`${refund.outRefundNo}\u0000${refund.attempt}`)) continue;
        waiting += 1;
        if (oldest === undefined || refund.since < oldest) oldest = refund.since;
      }
      // A gauge is not worth a stall: requests in flight go first between pages.
      await yieldToEventLoop();
    }
    const oldestWaitSeconds =
      oldest === undefined ? 0 : Math.max(0, (now.getTime() - Date.parse(oldest)) / 1000);
    last = {
      waiting,
      oldestWaitSeconds,
      drainSeconds: perSecond > 0 ? waiting / perSecond : undefined,
    };
    if (last.drainSeconds !== undefined && last.drainSeconds > 60) {
      log.warn(
        { ...last, maxRps: perSecond },
        `refund backlog: ${waiting} waiting to be sent, about ${Math.ceil(last.drainSeconds)} s to drain at WECHAT_MAX_RPS`,
      );
    }
    return last;
  };

  let running: { stop: () => Promise<void> } | undefined;
  return {
    measure,
    last: (): SendBacklog => last,
    start: (): void => {
      running ??= startRepeating({
        round: measure,
        intervalMs,
        log,
        failure: 'could not measure the refund backlog',
      });
    },
    stop: async (): Promise<void> => {
      await running?.stop();
    },
  };
};
