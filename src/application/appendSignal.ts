import type { EventStore } from './ports/eventStore.js';

/**
 * One listener on the event store for any number of waiters (long polls): each waits for the next
 * append, or its timeout, without reading the store meanwhile. A waiter passes the count it saw
 * before it last read, so an append between that read and the wait is not slept through.
 */
export const createAppendSignal = (events: EventStore) => {
  let count = 0;
  const waiters = new Set<() => void>();
  const wakeAll = () => {
    for (const wake of [...waiters]) wake();
  };
  const unsubscribe = events.onAppended(() => {
    count += 1;
    wakeAll();
  });
  let stopped = false;
  return {
    count: (): number => count,
    /** True when something was appended after `seen`; false on timeout or stop. */
    wait: (seen: number, timeoutMs: number): Promise<boolean> =>
      new Promise<boolean>((resolve) => {
        if (count > seen || stopped || timeoutMs <= 0) {
          resolve(count > seen);
          return;
        }
        const done = () => {
          clearTimeout(timer);
          waiters.delete(done);
          resolve(count > seen);
        };
        const timer = setTimeout(done, timeoutMs);
        waiters.add(done);
      }),
    /** Ends every wait now (the service is closing). */
    stop: (): void => {
      stopped = true;
      unsubscribe();
      wakeAll();
    },
  };
};

export type AppendSignal = ReturnType<typeof createAppendSignal>;
