import { performance } from 'node:perf_hooks';

export type ApiLoadOptions = {
  /** The span each judgement looks back over. */
  windowMs?: number;
  /** The share of the window during which some request was being answered. */
  answeringShare?: number;
  /** The share of the window the event loop was busy (any work, the requests' or not). */
  loopUtilization?: number;
};

/**
 * Whether the API is saturated, for background work that yields to it (webhook delivery): over
 * the last window, requests were in flight for a fair part of it and the event loop was nearly
 * never idle. Both: a loop busy with background work alone (a backlog of deliveries after a
 * restart) is not a busy API, and requests waiting on I/O with the loop free do not need its
 * time. A request counts from when fastify takes it up to its answer, as the answer's hook
 * reports it — one that never ends (its client went away) is not counted, rather than counted
 * forever.
 * Node's parsing and writing fall outside that span, hence the low default share: a saturating
 * load of GETs (a synchronous handler) had requests in flight 24–40% of the time, POSTs 74%.
 */
export const watchApiLoad = ({
  windowMs = 250,
  answeringShare = 0.15,
  loopUtilization = 0.9,
}: ApiLoadOptions = {}) => {
  // The time some request was being answered, as the union of the answered requests' spans
  // (taken in the order they end: a short one ending inside a longer one is not counted twice).
  let answeringMs = 0;
  let coveredUntil = 0;
  let busy = false;
  let sampledAt = performance.now();
  let answeringAtSample = 0;
  let loopAtSample = performance.eventLoopUtilization();

  const sample = (): void => {
    const at = performance.now();
    const loop = performance.eventLoopUtilization();
    const share = (answeringMs - answeringAtSample) / Math.max(1, at - sampledAt);
    const utilization = performance.eventLoopUtilization(loop, loopAtSample).utilization;
    busy = share >= answeringShare && utilization >= loopUtilization;
    sampledAt = at;
    answeringAtSample = answeringMs;
    loopAtSample = loop;
  };
  const timer = setInterval(sample, windowMs);
  timer.unref();

  return {
    /** A request was answered, `elapsedMs` after it arrived. */
    answered: (elapsedMs: number): void => {
      const end = performance.now();
      if (end <= coveredUntil) return;
      answeringMs += end - Math.max(end - elapsedMs, coveredUntil);
      coveredUntil = end;
    },
    /** As of the last window. */
    busy: (): boolean => busy,
    stop: (): void => clearInterval(timer),
  };
};

export type ApiLoad = ReturnType<typeof watchApiLoad>;
