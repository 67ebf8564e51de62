/** Sleeps that end early when the owner stops: background loops must not delay a shutdown. */
export const createPauser = () => {
  const pending = new Set<() => void>();
  let stopped = false;
  return {
    pause: (delayMs: number): Promise<void> =>
      new Promise<void>((resolve) => {
        if (stopped) return resolve();
        const done = () => {
          clearTimeout(timer);
          pending.delete(done);
          resolve();
        };
        const timer = setTimeout(done, delayMs);
        pending.add(done);
      }),
    stop: (): void => {
      stopped = true;
      for (const done of pending) done();
    },
  };
};
