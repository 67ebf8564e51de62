import { createAlarm } from '../alarm.js';
import type { Clock } from '../ports/clock.js';
import type { Log } from '../ports/log.js';
import { retryLogLevel } from '../retryLogLevel.js';
import type { createSemaphore } from '../semaphore.js';
import type { WebhookDelivery, WebhookStore } from './webhookStore.js';

export type WebhookLaneOptions = {
  endpointId: string;
  store: WebhookStore;
  clock: Clock;
  log: Log;
  /** The dispatcher's slots: attempts in flight altogether. */
  slots: ReturnType<typeof createSemaphore>;
  perEndpoint: number;
  pollIntervalMs: number;
  /** Claims a due delivery (compare-and-set); undefined when another instance got it first. */
  claim: (delivery: WebhookDelivery) => Promise<WebhookDelivery | undefined>;
  /** Makes and records one attempt; `retryAt` says when the delivery is due again. */
  attempt: (delivery: WebhookDelivery, retryAt: (ms: number) => void) => Promise<void>;
  /** Every attempt started, until it settles: the dispatcher waits for them when it stops. */
  attempts: Set<Promise<void>>;
};

/**
 * One enabled endpoint's lane: it takes the endpoint's due deliveries from the store, at most
 * `perEndpoint` at a time, so a slow or dead endpoint fills its own lane and no other; nothing
 * more is buffered (what waits stays in the store, due).
 */
export const startWebhookLane = ({
  endpointId,
  store,
  clock,
  log,
  slots,
  perEndpoint,
  pollIntervalMs,
  claim,
  attempt,
  attempts,
}: WebhookLaneOptions) => {
  const inFlight = new Set<string>();
  const alarm = createAlarm();
  const signal = alarm.ring;
  let stopped = false;
  // The earliest retry this lane scheduled: it looks again then, not only at the next poll.
  let nextRetryAt = Number.POSITIVE_INFINITY;
  const retryAt = (ms: number) => {
    nextRetryAt = Math.min(nextRetryAt, Date.now() + ms);
    signal();
  };

  /** Claims and starts what is due, while the lane has room; true when it filled up. */
  const takeDue = async (): Promise<boolean> => {
    const page = await (
      await store.deliveries()
    ).query({
      where: { endpointId, status: 'pending' },
      orderBy: 'dueAt',
      direction: 'asc',
      range: { max: clock.now().toISOString() },
      limit: perEndpoint,
    });
    for (const due of page.documents) {
      if (inFlight.size >= perEndpoint || stopped) return true;
      if (inFlight.has(due.id)) continue;
      await slots.acquire();
      const claimed = stopped ? undefined : await claim(due).catch(() => undefined);
      if (!claimed) {
        slots.release();
        continue;
      }
      inFlight.add(due.id);
      const task: Promise<void> = attempt(claimed, retryAt)
        .catch((error: unknown) =>
          log[retryLogLevel(error)](
            { err: error, deliveryId: due.id, endpointId },
            'webhook attempt could not be recorded; it is made again when its claim ends',
          ),
        )
        .finally(() => {
          inFlight.delete(due.id);
          attempts.delete(task);
          slots.release();
          signal();
        });
      attempts.add(task);
    }
    return page.next !== undefined && inFlight.size < perEndpoint;
  };

  const loop = (async () => {
    while (!stopped) {
      if (nextRetryAt <= Date.now()) nextRetryAt = Number.POSITIVE_INFINITY;
      try {
        if (inFlight.size < perEndpoint && (await takeDue())) continue;
      } catch (error) {
        log[retryLogLevel(error)]({ err: error, endpointId }, 'webhook lane failed; retrying');
      }
      await alarm.sleep(Math.min(pollIntervalMs, nextRetryAt - Date.now()));
    }
  })();

  return {
    wake: signal,
    stop: async () => {
      stopped = true;
      signal();
      await loop;
    },
  };
};

export type WebhookLane = ReturnType<typeof startWebhookLane>;
