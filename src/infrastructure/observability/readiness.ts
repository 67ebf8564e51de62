import type { Log } from '../../application/ports/log.js';
import type { StoreHealth } from '../../application/ports/storeHealth.js';
import type { ProjectionStatus } from '../../projections/startProjection.js';
import type { Stores } from '../stores/openStores.js';
import { monitorStoreHealth } from '../stores/storeHealthMonitor.js';

/** What /readyz answers: one check per store and per projection, ready when every one is ok. */
export type Readiness = { ready: boolean; checks: Record<string, string> };

export const readinessOf = (
  stores: ReadonlyMap<string, StoreHealth>,
  projections: readonly ProjectionStatus[],
): Readiness => {
  const checks: Record<string, string> = {};
  for (const [name, store] of stores) checks[name] = store.ok ? 'ok' : store.reason;
  for (const status of projections) {
    checks[`projection:${status.name}`] = status.lastError
      ? `failing: ${status.lastError}`
      : status.caughtUp
        ? 'ok'
        : 'catching up';
  }
  return { ready: Object.values(checks).every((check) => check === 'ok'), checks };
};

/**
 * Readiness of the service: the stores' health, checked in the background (so /readyz answers at
 * once, even while a driver waits for a server, and a store that stops answering is logged once),
 * and the projections' statuses.
 */
export const watchReadiness = ({
  stores: { events, documents, targets },
  projections,
  log,
  intervalMs,
}: {
  stores: Stores;
  projections: () => Promise<ProjectionStatus[]>;
  log: Log;
  intervalMs: number;
}) => {
  const health = monitorStoreHealth({
    stores: [
      {
        name: 'eventStore',
        label: 'event store',
        target: targets.eventStore,
        health: () => events.health(),
      },
      {
        name: 'readStore',
        label: 'read store',
        target: targets.readStore,
        health: () => documents.health(),
      },
    ],
    log,
    intervalMs,
  });
  return {
    readiness: async (): Promise<Readiness> => readinessOf(health.current(), await projections()),
    stop: health.stop,
  };
};
