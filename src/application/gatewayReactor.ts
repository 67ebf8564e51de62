import { backoffDelay } from './backoff.js';
import type { Checkpoints } from './documentCheckpoints.js';
import type { EventSource } from './eventMetadata.js';
import type { EventStore, RecordedEvent } from './ports/eventStore.js';
import type { Log } from './ports/log.js';
import type { RefundRequestedData } from '../domain/index.js';
import { decodeRefundEvent, refundCategory } from './refundEventCodec.js';
import type { sendRefund } from './sendRefund.js';
import { createWakeup } from './wakeup.js';

export type GatewayReactorOptions = {
  events: EventStore;
  checkpoints: Checkpoints;
  send: ReturnType<typeof sendRefund>;
  log: Log;
  random: () => number;
  retryBaseMs: number;
  retryMaxMs?: number;
  /** Refunds being sent or waiting to be retried at once. */
  concurrency?: number;
  batchSize?: number;
  pollIntervalMs?: number;
  checkpointName?: string;
};

const source: EventSource = 'gateway';

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
  let readPosition = await checkpoints.load(checkpointName);
  let savedPosition = readPosition;
  /** Events read, in log order, until everything before them is done. */
  const queue: { position: bigint; done: boolean }[] = [];
  const inFlight = new Set<Promise<void>>();
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

  const handleRequested = async (
    recorded: RecordedEvent,
    { outRefundNo, attempt }: RefundRequestedData,
  ): Promise<boolean> => {
    const correlationId = recorded.metadata['correlationId'];
    const context = {
      correlationId: typeof correlationId === 'string' ? correlationId : recorded.id,
      causationId: recorded.id,
      source,
    };
    for (let failures = 0; !stopped; failures++) {
      try {
        const result = await send(outRefundNo, attempt, context);
        if (result.kind !== 'retry') return true;
        log.warn(
          { outRefundNo, attempt, code: result.code, correlationId: context.correlationId },
          'WeChat Pay gave no answer; will retry',
        );
      } catch (error) {
        log.error({ outRefundNo, attempt, err: error }, 'sending the refund failed; will retry');
      }
      await wakeup.pause(
        backoffDelay(failures, { baseMs: retryBaseMs, maxMs: retryMaxMs, random }),
      );
    }
    return false;
  };

  const requestOf = (recorded: RecordedEvent): RefundRequestedData | undefined => {
    try {
      const { event } = decodeRefundEvent(recorded);
      return event.type === 'RefundRequested' ? event.data : undefined;
    } catch (error) {
      // The projections stop on it and readiness turns false; the audit names it.
      log.error(
        { err: error, position: recorded.position },
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
    const task = handleRequested(recorded, requested).then((finished) => {
      // Stopped before it finished: not done, so the checkpoint stays before it.
      entry.done = finished;
      inFlight.delete(task);
    });
    inFlight.add(task);
  };

  const loop = (async () => {
    while (!stopped) {
      try {
        if (inFlight.size >= concurrency) {
          await Promise.race(inFlight);
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
        log.error({ err: error }, 'gateway reactor failed to read the log; retrying');
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
