import { createPauser } from './pauser.js';
import type { EventStore } from './ports/eventStore.js';

/**
 * Lets a subscriber sleep until events are appended in this process, or until the poll interval
 * passes (appends by other processes are only seen by polling), or until it is stopped.
 * An append that happens while the subscriber is busy reading is remembered, so the next wait
 * returns at once instead of sleeping through it.
 */
export const createWakeup = (events: EventStore, pollIntervalMs: number) => {
  let wake: (() => void) | undefined;
  let appended = false;
  let stopped = false;
  const pauser = createPauser();
  const unsubscribe = events.onAppended(() => {
    appended = true;
    wake?.();
  });
  return {
    wait: (): Promise<void> =>
      new Promise<void>((resolve) => {
        if (stopped || appended) {
          appended = false;
          resolve();
          return;
        }
        const done = () => {
          clearTimeout(timer);
          wake = undefined;
          appended = false;
          resolve();
        };
        const timer = setTimeout(done, pollIntervalMs);
        wake = done;
      }),
    /** Sleeps for the delay whatever is appended (a backoff), unless stopped. */
    pause: pauser.pause,
    stop: (): void => {
      stopped = true;
      unsubscribe();
      wake?.();
      pauser.stop();
    },
  };
};
