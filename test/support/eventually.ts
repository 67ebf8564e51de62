/**
 * Polls until the check passes or the deadline passes (then rethrows the last failure).
 * Tests wait for asynchronous outcomes this way, never with fixed sleeps. The default deadline
 * holds on a loaded machine; only a failing test waits that long.
 */
export const eventually = async <T>(
  check: () => T | Promise<T>,
  { timeoutMs = 30_000, intervalMs = 20 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  }
};
