import { errorMessage } from './errorMessage.js';
import type { RecordedEvent } from './ports/eventStore.js';
import type { Log } from './ports/log.js';
import { retryLogLevel } from './retryLogLevel.js';

/**
 * What one try of an effect came to: done (whatever the world answered); try again after the
 * retry schedule's delay (a failure); or not due yet, act again after delayMs (no failure: a
 * retry that is scheduled for later, or a rule that says wait, like WeChat's spacing of an
 * order's refunds).
 */
export type ReactorOutcome =
  { kind: 'done' } | { kind: 'retry'; reason: string } | { kind: 'later'; delayMs: number };

/** setTimeout waits at most 2^31 − 1 ms; a longer wait is taken in turns (the effect re-checks). */
export const maxPauseMs = 2 ** 31 - 1;

/**
 * A consumer of the log that acts on the world (the gateway; webhook delivery and NOTENOUGH
 * retries are the same kind of thing): its decision, its effect and its retry schedule, nothing
 * more. Where it runs gives it the rest: startReactor follows the log in this process from a
 * durable checkpoint; startEsdbReactor takes its events from an EventStoreDB persistent
 * subscription shared by every instance. Either way an event is handled at least once, a
 * bounded number at a time, and work waiting for a retry holds up no other work.
 */
export type Reactor<W> = {
  /** Names its checkpoint (`<name>_reactor`), its subscription group (`refund-<name>`), its logs. */
  name: string;
  /**
   * The decision: the work a refund event calls for; undefined for none. Throws for an event it
   * cannot read.
   */
  decide: (recorded: RecordedEvent) => W | undefined;
  /**
   * The effect. Idempotent: after a crash or a redelivery it runs again for work it may already
   * have done. A throw is a failed try like a `retry` outcome (logged by the runner).
   */
  act: (work: W, tries: { retryCount: number }) => Promise<ReactorOutcome>;
  /** The wait before the next try after `retryCount + 1` failed ones; undefined: give up. */
  retryDelay: (retryCount: number) => number | undefined;
  /**
   * The longest `later` its effect asks for (0 or absent: it never does). A runner that takes a
   * long wait in turns (on EventStoreDB, hand-backs that the server counts) allows for them.
   */
  longestWaitMs?: number;
};

/** A reactor at work, wherever it runs. */
export type RunningReactor = {
  /** Work taken and not finished yet (acting, or waiting to try again). */
  pending: () => number;
  /** Stops taking work and ends or hands back the work in flight. */
  stop: () => Promise<void>;
};

const where = (recorded: RecordedEvent) => ({
  streamName: recorded.streamName,
  revision: recorded.revision.toString(),
  position: recorded.position.toString(),
});

/** One try of the effect, a throw turned into a retry (a store that is down logs at debug). */
export const tryEffect = async <W>(
  reactor: Reactor<W>,
  work: W,
  recorded: RecordedEvent,
  retryCount: number,
  log: Log,
): Promise<ReactorOutcome> => {
  try {
    return await reactor.act(work, { retryCount });
  } catch (error) {
    log[retryLogLevel(error)](
      { err: error, reactor: reactor.name, ...where(recorded), retryCount },
      `${reactor.name} reactor failed to act on an event`,
    );
    return { kind: 'retry', reason: errorMessage(error) };
  }
};

/** The wait before the next try, or undefined once the schedule gives up (said at error level). */
export const nextRetryDelay = <W>(
  reactor: Reactor<W>,
  recorded: RecordedEvent,
  failed: { retryCount: number; reason: string },
  log: Log,
): number | undefined => {
  const delay = reactor.retryDelay(failed.retryCount);
  if (delay === undefined) {
    log.error(
      { reactor: reactor.name, ...where(recorded), ...failed },
      `${reactor.name} reactor gave up on an event after ${failed.retryCount + 1} tries`,
    );
  }
  return delay;
};
