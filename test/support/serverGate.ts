import { describe, it } from 'vitest';

/**
 * Suites that need a real server (EventStoreDB, MongoDB) run only when its address is set. When
 * it is not, the suite shows up as skipped under a title that says how to run it, and the same
 * line goes to the test output once, so a green run never hides that it did not run.
 */
export const serverFrom = (variable: string, suite: string): string | undefined => {
  const value = process.env[variable];
  if (value) return value;
  const message = `skipped: set ${variable} to run ${suite}`;
  console.warn(message);
  describe.skip(message, () => {
    it(`${suite} against a real server`, () => undefined);
  });
  return undefined;
};
