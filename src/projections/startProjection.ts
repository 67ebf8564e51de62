import type { Clock } from '../application/ports/clock.js';
import type { DocumentCollection, DocumentStore } from '../application/ports/documentStore.js';
import type { EventStore, JsonObject } from '../application/ports/eventStore.js';
import type { Log } from '../application/ports/log.js';
import { retryLogLevel } from '../application/retryLogLevel.js';
import { refundCategory } from '../application/refundEventCodec.js';
import { createWakeup } from '../application/wakeup.js';
import { applyEvents } from './applyEvents.js';
import { corruptEvents, reportSkippedEvents } from './corruptEvents.js';
import { positionWaiters } from './positionWaiters.js';
import type { Projection } from './projection.js';
import {
  openCurrentGeneration,
  switchedGeneration,
  type OpenGeneration,
} from './projectionGeneration.js';
import { generationCollectionName, projectionStorage } from './projectionStorage.js';
import { unopenedCollection } from './unopenedCollection.js';
import { errorMessage } from '../application/errorMessage.js';

export type ProjectionStatus = {
  name: string;
  /** 0 until the read model is open. */
  generation: number;
  /** Position of the last event applied; undefined before the first. */
  position: bigint | undefined;
  /** Position of the log's last refund event. */
  head: bigint | undefined;
  /** True once the projection has reached the head of the log. */
  caughtUp: boolean;
  /** Age of the last applied event while there is a backlog; 0 when caught up. */
  secondsBehind: number;
  lastError?: string;
};

export type RunningProjection<D extends JsonObject> = {
  name: string;
  /** The generation readers use now (it changes when a rebuild switches). */
  collection: () => DocumentCollection<D>;
  status: () => Promise<ProjectionStatus>;
  /** Resolves once the read model has applied the log up to the position (or it stops). */
  reached: (position: bigint) => Promise<void>;
  stop: () => Promise<void>;
};

export type LaunchedProjection<D extends JsonObject> = RunningProjection<D> & {
  /** Resolves once the read model is open (or the projection was stopped before). */
  opened: () => Promise<void>;
};

export type ProjectionDeps = {
  events: EventStore;
  documents: DocumentStore;
  log: Log;
  clock: Clock;
  /**
   * Events a step applies, its writes one synchronous transaction: kept small, for the requests
   * waiting meanwhile (a burst of 20,000 refunds is caught up in steps of it).
   */
  batchSize?: number;
  pollIntervalMs?: number;
};

/**
 * Runs a projection: catches up from its checkpoint, then follows the log, at least once and in
 * position order. A changed projection version rebuilds the read model first. Returns at once:
 * opening the read model is the loop's first step, retried like any other, so a store that does
 * not answer yet delays the read model (its collection fails with StoreUnavailable meanwhile),
 * never the start of the service.
 */
export const launchProjection = <D extends JsonObject>(
  projection: Projection<D>,
  { events, documents, log, clock, batchSize = 100, pollIntervalMs = 500 }: ProjectionDeps,
): LaunchedProjection<D> => {
  const storage = projectionStorage(documents);
  const registry = corruptEvents(documents);
  let opened = false;
  let generation = 0;
  let documentsNow: DocumentCollection<D> = unopenedCollection(
    projection.name,
    () => lastError ?? 'opening',
  );
  let position: bigint | undefined;
  let caughtUp = false;
  let lastAppliedAt: string | undefined;
  let lastError: string | undefined;
  let stopped = false;
  const wakeup = createWakeup(events, pollIntervalMs);
  /** Callers of reached(), until the projection passes their position (or stops). */
  const { passed, reached } = positionWaiters(
    (target) => stopped || (position !== undefined && position >= target),
  );
  let markOpened: () => void = () => undefined;
  const openedOrStopped = new Promise<void>((resolve) => (markOpened = resolve));

  const use = (current: OpenGeneration<D>): void => {
    ({ generation, collection: documentsNow, position } = current);
  };

  const open = async (): Promise<void> => {
    use(await openCurrentGeneration(projection, { storage, events, documents, log }));
    opened = true;
    markOpened();
  };

  const followSwitch = async (): Promise<void> => {
    const previous = generation;
    const switched = await switchedGeneration(projection, storage, previous);
    if (!switched) return;
    use(switched);
    await storage.dropOtherGenerations(projection, generation);
    log.info(
      { projection: projection.name, from: previous, to: generation },
      'switched to the rebuilt read model',
    );
  };

  const step = async (): Promise<void> => {
    if (!opened) await open();
    await followSwitch();
    passed();
    const page = await events.readCategory(refundCategory, {
      ...(position !== undefined && { after: position }),
      limit: batchSize,
    });
    const last = page.at(-1);
    if (!last) {
      caughtUp = true;
      lastAppliedAt = undefined;
      await wakeup.wait();
      return;
    }
    const skipped = await applyEvents(projection, documentsNow, page);
    // Recorded before the checkpoint passes them: a crash in between records them again.
    await reportSkippedEvents(skipped, { reader: projection.name, log, registry });
    await storage.saveCheckpoint(generationCollectionName(projection, generation), last.position);
    position = last.position;
    lastAppliedAt = last.recordedAt;
    passed();
  };

  const loop = (async () => {
    let failures = 0;
    while (!stopped) {
      try {
        await step();
        if (lastError !== undefined) {
          log.info({ projection: projection.name }, 'projection recovered');
        }
        lastError = undefined;
        failures = 0;
      } catch (error) {
        failures += 1;
        // A store that is down: keep the checkpoint where it is and try again, loudly. (An event
        // that does not decode is no failure: applyEvents skips it, and it is reported.) A store
        // that does not answer is logged by the store health monitor, once; the same failure
        // again is logged once, then at debug level. Readiness says the projection is failing.
        const message = errorMessage(error);
        const level = message === lastError ? 'debug' : retryLogLevel(error);
        lastError = message;
        log[level]({ err: error, projection: projection.name }, 'projection failed; retrying');
        await wakeup.pause(Math.min(30_000, 100 * 2 ** Math.min(failures, 9)));
      }
    }
    markOpened();
    passed();
  })();

  const head = async (): Promise<bigint | undefined> => {
    try {
      return await events.headPosition(refundCategory);
    } catch {
      // The status of a projection whose log does not answer: its lastError says why.
      return undefined;
    }
  };

  return {
    name: projection.name,
    collection: () => documentsNow,
    opened: () => openedOrStopped,
    status: async () => ({
      name: projection.name,
      generation,
      position,
      head: await head(),
      caughtUp,
      secondsBehind:
        lastAppliedAt === undefined
          ? 0
          : Math.max(0, (clock.now().getTime() - Date.parse(lastAppliedAt)) / 1000),
      ...(lastError !== undefined && { lastError }),
    }),
    reached,
    stop: async () => {
      stopped = true;
      wakeup.stop();
      await loop;
    },
  };
};

/** Launches the projection and waits until its read model is open (tests, workers). */
export const startProjection = async <D extends JsonObject>(
  projection: Projection<D>,
  deps: ProjectionDeps,
): Promise<LaunchedProjection<D>> => {
  const running = launchProjection(projection, deps);
  await running.opened();
  return running;
};
