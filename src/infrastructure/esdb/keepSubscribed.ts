import { backoffDelay } from '../../application/backoff.js';
import { createPauser } from '../../application/pauser.js';
import type { Log } from '../../application/ports/log.js';
import { isEsdbUnreachable } from './esdbErrors.js';

/** The slice of a client subscription (catch-up or persistent) this module needs. */
export type SubscriptionLike = {
  on(event: 'confirmation' | 'end' | 'close', listener: () => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  unsubscribe(): Promise<void>;
};

/**
 * Keeps a subscription open: opens it, and when it errors, ends or the connection drops, opens
 * it again after a backoff, for as long as it runs. A subscription that was confirmed and then
 * dropped is worth a warning; one that cannot even be opened means the server is away, which the
 * store health monitor reports (once), so those attempts are logged at debug level.
 */
export const keepSubscribed = <S extends SubscriptionLike>({
  what,
  open,
  attach,
  onConfirmed = () => undefined,
  log,
  random,
  baseMs = 500,
  maxMs = 30_000,
}: {
  /** How log lines name it, e.g. "gateway persistent subscription". */
  what: string;
  /** Opens the subscription (and whatever it needs first, e.g. its group). */
  open: () => Promise<S>;
  /** Adds the data listeners to a newly opened subscription. */
  attach: (subscription: S) => void;
  onConfirmed?: () => void;
  log: Log;
  random: () => number;
  baseMs?: number;
  maxMs?: number;
}) => {
  const pauser = createPauser();
  let stopped = false;
  let current: { subscription: S; end: () => void } | undefined;

  /** Resolves when the subscription ends, for whatever reason, saying whether it was confirmed. */
  const follow = (subscription: S): Promise<{ confirmed: boolean; error?: Error }> =>
    new Promise((resolve) => {
      let confirmed = false;
      // A cancelled subscription need not emit anything, so stop() ends the wait itself.
      current = { subscription, end: () => resolve({ confirmed }) };
      subscription.on('confirmation', () => {
        confirmed = true;
        onConfirmed();
      });
      subscription.on('error', (error) => resolve({ confirmed, error }));
      subscription.on('end', () => resolve({ confirmed }));
      subscription.on('close', () => resolve({ confirmed }));
      attach(subscription);
    });

  const loop = (async () => {
    let failures = 0;
    while (!stopped) {
      try {
        const subscription = await open();
        if (stopped) {
          // Stopped while it was being opened: stop() had nothing to unsubscribe yet.
          await subscription.unsubscribe().catch(() => undefined);
          break;
        }
        const { confirmed, error } = await follow(subscription);
        current = undefined;
        if (stopped) break;
        if (confirmed) failures = 0;
        log[confirmed ? 'warn' : 'debug']({ err: error }, `${what} dropped; subscribing again`);
      } catch (error) {
        log[isEsdbUnreachable(error) || failures > 0 ? 'debug' : 'error'](
          { err: error },
          `could not open the ${what}; retrying`,
        );
      }
      await pauser.pause(backoffDelay(failures, { baseMs, maxMs, random }));
      failures += 1;
    }
  })();

  return {
    /**
     * Stops opening it again, runs `beforeUnsubscribe` (while the subscription is still open, so
     * that acknowledgements can still go out), then unsubscribes.
     */
    stop: async (beforeUnsubscribe: () => Promise<void> = () => Promise.resolve()) => {
      stopped = true;
      pauser.stop();
      await beforeUnsubscribe();
      const following = current;
      await following?.subscription.unsubscribe().catch(() => undefined);
      following?.end();
      await loop;
    },
  };
};
