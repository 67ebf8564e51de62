import { StoreUnavailable } from '../application/ports/storeHealth.js';
import type { ProjectionStatus } from './startProjection.js';

/**
 * Resolves once the projection has applied every event the log held when it was called: a reader
 * that must see the log as it is now (the bill reconciliation) waits for it. Throws
 * StoreUnavailable when that does not happen within the time (a store away, a long backlog).
 */
export const untilCaughtUp = async (
  status: () => Promise<ProjectionStatus>,
  { timeoutMs = 60_000, intervalMs = 50 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  const { head } = await status();
  for (;;) {
    const now = await status();
    if (head === undefined || (now.position !== undefined && now.position >= head)) return;
    if (Date.now() > deadline) {
      throw new StoreUnavailable(
        `the ${now.name} read model is behind the log${now.lastError ? `: ${now.lastError}` : ''}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
};
