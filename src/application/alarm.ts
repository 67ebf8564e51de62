/**
 * A sleep that a ring ends early. A ring while nobody sleeps is kept for the next sleep, so work
 * that arrives while the sleeper is busy is not slept through.
 */
export const createAlarm = () => {
  let rung = false;
  let wake: (() => void) | undefined;
  return {
    ring: (): void => {
      rung = true;
      wake?.();
    },
    sleep: (ms: number): Promise<void> =>
      new Promise<void>((resolve) => {
        if (rung) {
          rung = false;
          resolve();
          return;
        }
        const done = () => {
          clearTimeout(timer);
          wake = undefined;
          rung = false;
          resolve();
        };
        const timer = setTimeout(done, Math.max(0, ms));
        wake = done;
      }),
  };
};
