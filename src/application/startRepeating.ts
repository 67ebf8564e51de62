import { createPauser } from './pauser.js';
import type { Log } from './ports/log.js';
import { retryLogLevel } from './retryLogLevel.js';

/**
 * A round of background work repeated every intervalMs until stopped (the reconciler, the
 * send-backlog gauge, the daily bill run): a round that throws is logged (at debug while a store
 * is down) and the next one comes on time; stop ends the pause at once and waits for the round
 * in progress.
 */
export const startRepeating = ({
  round,
  intervalMs,
  log,
  failure,
  pauseFirst = false,
}: {
  round: () => Promise<unknown>;
  intervalMs: number;
  log: Log;
  /** The log message of a round that threw. */
  failure: string;
  /** Wait an interval before the first round (default: the first round starts at once). */
  pauseFirst?: boolean;
}): { stop: () => Promise<void> } => {
  const pauser = createPauser();
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      if (pauseFirst) {
        await pauser.pause(intervalMs);
        if (stopped) return;
      }
      try {
        await round();
      } catch (error) {
        log[retryLogLevel(error)]({ err: error }, failure);
      }
      if (!pauseFirst) await pauser.pause(intervalMs);
    }
  })();
  return {
    stop: async (): Promise<void> => {
      stopped = true;
      pauser.stop();
      await loop;
    },
  };
};
