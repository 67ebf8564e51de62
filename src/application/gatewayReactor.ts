import { backoffDelay } from './backoff.js';
import { retryLogLevel } from './retryLogLevel.js';
import type { Checkpoints } from './documentCheckpoints.js';
import type { EventStore, RecordedEvent } from './ports/eventStore.js';
import type { Log } from './ports/log.js';
import { gatewayRequestOf, type GatewayRequest } from './gatewayRequest.js';
import { refundCategory } from './refundEventCodec.js';
import type { sendRefund } from './sendRefund.js';
import { createWakeup } from './wakeup.js';

/** What any gateway reactor needs, however it follows the log. */
export type GatewayReactorDeps = {
  send: ReturnType<typeof sendRefund>;
  log: Log;
  random: () => number;
  retryBaseMs: number;
  retryMaxMs?: number;
};

export type GatewayReactorOptions = GatewayReactorDeps & {
  events: EventStore;
  checkpoints: Checkpoints;
  /** Refunds being sent or waiting to be retried at once. */
  concurrency?: number;
  batchSize?: number;
  pollIntervalMs?: number;
  checkpointName?: string;
};

/**
 * Sends each RefundRequested to WeChat and records the answer. Follows the log from a durable
 * checkpoint, at least once. Refunds are sent concurrently and a refund waiting for a retry does
 * not hold up the others; the checkpoint only moves past an event once it is fully handled, so a
 * crash at any point means the unfinished refunds are sent again (WeChat refunds an
 * out_refund_no at most once) and the finished ones are skipped (their state moved on).
 */
export const startGatewayReactor = async ({
  events,
  checkpoints,
  send,
  log,
  random,
  retryBaseMs,
  retryMaxMs = 5 * 60_000,
  concurrency = 256,
  batchSize = 500,
  pollIntervalMs = 1000,
  checkpointName = 'gateway_reactor',
}: GatewayReactorOptions) => {
  // Loaded by the loop, not here: a read store that does not answer yet must not fail the start.
  let checkpointLoaded = false;
  let readPosition: bigint | undefined;
  let savedPosition: bigint | undefined;
  /** Events read, in log order, until everything before them is done. */
  const queue: { position: bigint; done: boolean }[] = [];
  const inFlight = new Set<Promise<void>>();
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

  const handleRequested = async ({
    request: { outRefundNo, attempt },
    context,
  }: GatewayRequest): Promise<boolean> => {
    for (let failures = 0; !stopped; failures++) {
      try {
        const result = await send(outRefundNo, attempt, context);
        if (result.kind !== 'retry') return true;
        log.warn(
          { outRefundNo, attempt, code: result.code, correlationId: context.correlationId },
          'WeChat Pay gave no answer; will retry',
        );
      } catch (error) {
        log[retryLogLevel(error)](
          { outRefundNo, attempt, err: error },
          'sending the refund failed; will retry',
        );
      }
      await wakeup.pause(
        backoffDelay(failures, { baseMs: retryBaseMs, maxMs: retryMaxMs, random }),
      );
    }
    return false;
  };

  const requestOf = (recorded: RecordedEvent): GatewayRequest | undefined => {
    try {
      return gatewayRequestOf(recorded);
    } catch (error) {
      // Skipped: it holds up no other refund. The projections record it (readiness and the
      // metrics name its stream); the audit reports it.
      log.error(
        {
          err: error,
          stream: recorded.streamName,
          revision: recorded.revision.toString(),
          position: recorded.position.toString(),
        },
        'gateway reactor skipped an unreadable event',
      );
      return undefined;
    }
  };

  const track = (recorded: RecordedEvent): void => {
    const entry = { position: recorded.position, done: false };
    queue.push(entry);
    const requested = requestOf(recorded);
    if (!requested) {
      entry.done = true;
      return;
    }
    const task = handleRequested(requested).then((finished) => {
      // Stopped before it finished: not done, so the checkpoint stays before it.
      entry.done = finished;
      inFlight.delete(task);
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
        if (inFlight.size >= concurrency) {
          await freeSlot();
          continue;
        }
        const page = await events.readCategory(refundCategory, {
          ...(readPosition !== undefined && { after: readPosition }),
          limit: Math.min(batchSize, concurrency - inFlight.size),
        });
        for (const recorded of page) track(recorded);
        readPosition = page.at(-1)?.position ?? readPosition;
        await saveCheckpoint();
        if (page.length === 0) await wakeup.wait();
      } catch (error) {
        log[retryLogLevel(error)](
          { err: error },
          'gateway reactor failed to read the log; retrying',
        );
        await wakeup.pause(retryBaseMs);
      }
    }
  })();

  return {
    /** Events read but not yet fully handled (sending, or waiting to retry). */
    pending: (): number => inFlight.size,
    stop: async (): Promise<void> => {
      stopped = true;
      wakeup.stop();
      await loop;
      await Promise.all(inFlight);
      await saveCheckpoint().catch((error: unknown) =>
        log.error({ err: error }, 'could not save the gateway checkpoint'),
      );
    },
  };
};

/** A running gateway reactor, whichever way it follows the log. */
export type GatewayReactor = Awaited<ReturnType<typeof startGatewayReactor>>;
