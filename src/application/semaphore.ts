/** At most `size` holders at once; the others wait in order of arrival. */
export const createSemaphore = (size: number) => {
  let free = size;
  const waiting: (() => void)[] = [];
  return {
    acquire: (): Promise<void> => {
      if (free > 0) {
        free -= 1;
        return Promise.resolve();
      }
      return new Promise<void>((resolve) => waiting.push(resolve));
    },
    /** A place now, or false (nobody is made to wait). */
    tryAcquire: (): boolean => {
      if (free === 0) return false;
      free -= 1;
      return true;
    },
    release: (): void => {
      const next = waiting.shift();
      if (next) next();
      else free += 1;
    },
    /** Lets every waiter through (the owner is stopping). */
    releaseAll: (): void => {
      for (const next of waiting.splice(0)) next();
    },
  };
};
