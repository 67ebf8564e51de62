/**
 * Callers waiting for a reader to pass a log position: each is resolved at the first `passed()`
 * after `done(its position)` holds.
 */
export const positionWaiters = (done: (position: bigint) => boolean) => {
  let waiters: { position: bigint; resolve: () => void }[] = [];
  const passed = (): void => {
    waiters = waiters.filter((waiter) => {
      const isDone = done(waiter.position);
      if (isDone) waiter.resolve();
      return !isDone;
    });
  };
  return {
    passed,
    reached: (position: bigint) =>
      new Promise<void>((resolve) => {
        waiters.push({ position, resolve });
        passed();
      }),
  };
};
