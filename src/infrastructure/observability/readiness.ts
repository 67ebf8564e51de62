import type { Log } from '../../application/ports/log.js';
import type { StoreHealth } from '../../application/ports/storeHealth.js';
import type { CorruptEventEntry } from '../../projections/corruptEvents.js';
import type { ProjectionStatus } from '../../projections/startProjection.js';
import type { Stores } from '../stores/openStores.js';
import { monitorStoreHealth } from '../stores/storeHealthMonitor.js';

/**
 * The state of one component, as a stable code. What went wrong in detail is in the log, never
 * in the answer: it may name hosts, quote a driver, or hold the content of an event.
 */
export const readinessCodes = ['ok', 'unreachable', 'catching_up', 'failing'] as const;
export type ReadinessCode = (typeof readinessCodes)[number];

/** What /readyz answers: one check per store and per projection, ready when every one is ok. */
export type Readiness = {
  ready: boolean;
  checks: Record<string, ReadinessCode>;
  /**
   * Streams holding an event the service cannot read. Each affects only its own refund, so the
   * instance stays ready; the log says what is wrong with the event.
   */
  corruptStreams: string[];
};

export const readinessOf = (
  stores: ReadonlyMap<string, StoreHealth>,
  projections: readonly ProjectionStatus[],
  corrupt: readonly CorruptEventEntry[],
): Readiness => {
  const checks: Record<string, ReadinessCode> = {};
  for (const [name, store] of stores) checks[name] = store.ok ? 'ok' : 'unreachable';
  for (const status of projections) {
    checks[`projection:${status.name}`] = status.lastError
      ? 'failing'
      : status.caughtUp
        ? 'ok'
        : 'catching_up';
  }
  const ready = Object.values(checks).every((check) => check === 'ok');
  return { ready, checks, corruptStreams: corrupt.map((entry) => entry.stream) };
};

/**
 * Readiness of the service: the stores' health, checked in the background (so /readyz answers at
 * once, even while a driver waits for a server, and a store that stops answering is logged once),
 * and the projections' statuses.
 */
export const watchReadiness = ({
  stores: { events, documents, targets },
  projections,
  corruptEvents,
  log,
  intervalMs,
}: {
  stores: Stores;
  projections: () => Promise<ProjectionStatus[]>;
  corruptEvents: () => Promise<CorruptEventEntry[]>;
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
    readiness: async (): Promise<Readiness> =>
      readinessOf(
        health.current(),
        await projections(),
        // A read store that is away is its own check; it has no list to give meanwhile.
        await corruptEvents().catch(() => []),
      ),
    stop: health.stop,
  };
};
