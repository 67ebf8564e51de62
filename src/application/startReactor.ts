import type { Checkpoints } from './documentCheckpoints.js';
import type { EventStore, RecordedEvent } from './ports/eventStore.js';
import type { Log } from './ports/log.js';
import {
  maxPauseMs,
  nextRetryDelay,
  tryEffect,
  type Reactor,
  type RunningReactor,
} from './reactor.js';
import { refundCategory } from './refundEventCodec.js';
import { retryLogLevel } from './retryLogLevel.js';
import { createWakeup } from './wakeup.js';
import { inSlices } from './yieldToEventLoop.js';

/** Events tracked between two turns of the event loop. */
const trackSlice = 16;

export type ReactorRuntime = {
  events: EventStore;
  checkpoints: Checkpoints;
  log: Log;
  /**
   * Work acting or waiting to retry at once. Work that is not due yet (a `later` outcome) holds
   * no slot while it waits: an order's refunds held apart by WeChat's spacing, or NOTENOUGH
   * retries due in hours, never keep the rest of the log waiting.
   */
  concurrency?: number;
  batchSize?: number;
  pollIntervalMs?: number;
};

/**
 * Runs a reactor in this process: follows the refund events from a durable checkpoint, at least
 * once. Work is done concurrently and work waiting for a retry does not hold up the rest; the
 * checkpoint only moves past an event once everything before it is done, so after a crash the
 * unfinished work is done again (the effect is idempotent) and the finished work is not.
 */
export const startReactor = <W>(
  reactor: Reactor<W>,
  {
    events,
    checkpoints,
    log,
    concurrency = 256,
    batchSize = 500,
    pollIntervalMs = 1000,
  }: ReactorRuntime,
): RunningReactor => {
  const checkpointName = `${reactor.name}_reactor`;
  // Loaded by the loop, not here: a read store that does not answer yet must not fail the start.
  let checkpointLoaded = false;
  let readPosition: bigint | undefined;
  let savedPosition: bigint | undefined;
  /** Events read, in log order, until everything before them is done. */
  const queue: { position: bigint; done: boolean }[] = [];
  const inFlight = new Set<Promise<void>>();
  /** Work in flight that holds a slot: all of it but what waits until it is due. */
  let busy = 0;
  // Woken when a task ends. (Promise.race over every task in flight would add a reaction to each
  // of them on every wait: quadratic work and memory with a backlog.)
  let slotFreed: (() => void) | undefined;
  const freeSlot = () =>
    new Promise<void>((resolve) => {
      slotFreed = () => {
        slotFreed = undefined;
        resolve();
      };
    });
  const wakeup = createWakeup(events, pollIntervalMs);
  let stopped = false;

  const checkpointable = (): bigint | undefined => {
    let position = savedPosition;
    while (queue[0]?.done) position = queue.shift()?.position;
    return position;
  };

  const saveCheckpoint = async (): Promise<void> => {
    const position = checkpointable();
    if (position !== undefined && position !== savedPosition) {
      await checkpoints.save(checkpointName, position);
      savedPosition = position;
    }
  };

  /** True once the work is done or given up; false when stopped before. */
  const work = async (recorded: RecordedEvent, item: W): Promise<boolean> => {
    let retryCount = 0;
    while (!stopped) {
      const outcome = await tryEffect(reactor, item, recorded, retryCount, log);
      if (outcome.kind === 'done') return true;
      if (outcome.kind === 'later') {
        busy -= 1;
        slotFreed?.();
        await wakeup.pause(Math.min(outcome.delayMs, maxPauseMs));
        busy += 1;
        continue;
      }
      const delay = nextRetryDelay(reactor, recorded, { retryCount, reason: outcome.reason }, log);
      if (delay === undefined) return true;
      await wakeup.pause(delay);
      retryCount += 1;
    }
    return false;
  };

  const decide = (recorded: RecordedEvent): W | undefined => {
    try {
      return reactor.decide(recorded);
    } catch (error) {
      // Skipped: it holds up no other work. The projections record it (readiness and the
      // metrics name its stream); the audit reports it.
      log.error(
        {
          err: error,
          stream: recorded.streamName,
          revision: recorded.revision.toString(),
          position: recorded.position.toString(),
        },
        `${reactor.name} reactor skipped an unreadable event`,
      );
      return undefined;
    }
  };

  const track = (recorded: RecordedEvent): void => {
    const entry = { position: recorded.position, done: false };
    queue.push(entry);
    const item = decide(recorded);
    if (item === undefined) {
      entry.done = true;
      return;
    }
    busy += 1;
    const task = work(recorded, item).then((finished) => {
      // Stopped before it finished: not done, so the checkpoint stays before it.
      entry.done = finished;
      inFlight.delete(task);
      busy -= 1;
      slotFreed?.();
    });
    inFlight.add(task);
  };

  const loop = (async () => {
    while (!stopped) {
      try {
        if (!checkpointLoaded) {
          readPosition = savedPosition = await checkpoints.load(checkpointName);
          checkpointLoaded = true;
        }
        if (busy >= concurrency) {
          await freeSlot();
          continue;
        }
        const page = await events.readCategory(refundCategory, {
          ...(readPosition !== undefined && { after: readPosition }),
          limit: Math.min(batchSize, concurrency - busy),
        });
        // Starting a piece of work runs its first steps at once (the gateway reads the refund's
        // stream and signs its call), and after a restart a whole window of it starts together:
        // in slices, with requests answered in between, not as one long stall.
        await inSlices(page, trackSlice, track);
        readPosition = page.at(-1)?.position ?? readPosition;
        await saveCheckpoint();
        if (page.length === 0) await wakeup.wait();
      } catch (error) {
        log[retryLogLevel(error)](
          { err: error },
          `${reactor.name} reactor failed to read the log; retrying`,
        );
        await wakeup.pause(pollIntervalMs);
      }
    }
  })();

  return {
    pending: (): number => inFlight.size,
    stop: async (): Promise<void> => {
      stopped = true;
      wakeup.stop();
      await loop;
      await Promise.all(inFlight);
      await saveCheckpoint().catch((error: unknown) =>
        log.error({ err: error }, `could not save the ${reactor.name} checkpoint`),
      );
    },
  };
};
