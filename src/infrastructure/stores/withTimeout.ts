export class TimedOut extends Error {
  override readonly name = 'TimedOut';
}

/**
 * The promise's outcome, or a TimedOut rejection once the delay passes (the work itself goes on;
 * its late outcome is ignored). For health checks, which must answer while a driver waits for a
 * server that may take half a minute to give up.
 */
export const withTimeout = <T>(work: Promise<T>, delayMs: number, what: string): Promise<T> =>
  new Promise<T>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new TimedOut(`${what} did not answer within ${delayMs} ms`)),
      delayMs,
    );
    work.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
