import { pino } from 'pino';
import { systemClock } from '../../../src/application/ports/clock.js';
import type {
  DocumentCollection,
  DocumentStore,
} from '../../../src/application/ports/documentStore.js';
import type { EventStore, JsonObject } from '../../../src/application/ports/eventStore.js';
import type { Projection } from '../../../src/projections/projection.js';
import { eachProjection as eachRegistered } from '../../../src/projections/projectionRegistry.js';
import type { ProjectionDeps } from '../../../src/projections/startProjection.js';

/**
 * Runs the same generic step for each of the service's projections (each with its own document
 * type), in the registry's order: refund view, order ledger, idempotency guard.
 */
export const eachProjection = <R>(
  step: <D extends JsonObject>(projection: Projection<D>) => Promise<R>,
): Promise<R[]> => Promise.all(eachRegistered(step));

export const projectionDeps = (
  stores: { events: EventStore; documents: DocumentStore },
  overrides: Partial<ProjectionDeps> = {},
): ProjectionDeps => ({
  ...stores,
  log: pino({ level: 'silent' }),
  clock: systemClock,
  pollIntervalMs: 50,
  ...overrides,
});

/** Every document of a collection, in id order. */
export const snapshot = async <D extends JsonObject>(
  collection: DocumentCollection<D>,
): Promise<D[]> => {
  const documents: D[] = [];
  for await (const document of collection.all()) documents.push(document);
  return documents;
};
