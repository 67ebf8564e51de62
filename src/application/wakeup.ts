import { createAlarm } from './alarm.js';
import { createPauser } from './pauser.js';
import type { EventStore } from './ports/eventStore.js';

/**
 * Lets a subscriber sleep until events are appended in this process, or until the poll interval
 * passes (appends by other processes are only seen by polling), or until it is stopped.
 * An append that happens while the subscriber is busy reading is remembered, so the next wait
 * returns at once instead of sleeping through it.
 */
export const createWakeup = (events: EventStore, pollIntervalMs: number) => {
  const alarm = createAlarm();
  const pauser = createPauser();
  let stopped = false;
  const unsubscribe = events.onAppended(alarm.ring);
  return {
    wait: (): Promise<void> => (stopped ? Promise.resolve() : alarm.sleep(pollIntervalMs)),
    /** Sleeps for the delay whatever is appended (a backoff), unless stopped. */
    pause: pauser.pause,
    stop: (): void => {
      stopped = true;
      unsubscribe();
      alarm.ring();
      pauser.stop();
    },
  };
};
