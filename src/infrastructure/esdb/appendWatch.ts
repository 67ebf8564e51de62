import type { Log } from '../../application/ports/log.js';
import { keepSubscribed, type SubscriptionLike } from './keepSubscribed.js';

/** The slice of a client subscription (subscribeToAll) the watch uses. */
export type LiveSubscription = SubscriptionLike & {
  on(event: 'data', listener: () => void): unknown;
};

export type AppendWatch = { stop: () => Promise<void> };

/**
 * Keeps a live subscription open and calls `wake` for every event it delivers. It is a hint that
 * wakes the projections and the gateway reactor early, not delivery: they read the log from their
 * checkpoints and poll anyway. When the subscription drops it subscribes again after a backoff,
 * and wakes the readers once it is back (appends may have been missed meanwhile).
 */
export const watchAppends = ({
  subscribe,
  wake,
  log,
  random,
  baseMs,
}: {
  subscribe: () => LiveSubscription;
  wake: () => void;
  log: Log;
  random: () => number;
  baseMs?: number;
}): AppendWatch => {
  const kept = keepSubscribed({
    what: 'EventStoreDB live subscription',
    open: () => Promise.resolve(subscribe()),
    attach: (subscription) => subscription.on('data', wake),
    onConfirmed: wake,
    log,
    random,
    ...(baseMs !== undefined && { baseMs }),
  });
  return { stop: () => kept.stop() };
};
