import { createAlarm } from '../alarm.js';
import type { Clock } from '../ports/clock.js';
import type { Log } from '../ports/log.js';
import { retryLogLevel } from '../retryLogLevel.js';
import type { createSemaphore } from '../semaphore.js';
import type { Pace } from './deliveryPacer.js';
import type { WebhookDelivery, WebhookEndpoint, WebhookStore } from './webhookStore.js';

export type WebhookLaneOptions = {
  endpointId: string;
  store: WebhookStore;
  clock: Clock;
  log: Log;
  /** The dispatcher's slots: attempts in flight altogether. */
  slots: ReturnType<typeof createSemaphore>;
  perEndpoint: number;
  pollIntervalMs: number;
  /** Waits while the API is too busy for a page of deliveries. */
  pace: Pace;
  /** Claims due deliveries (compare-and-set each); the ones another instance got first are left out. */
  claim: (deliveries: readonly WebhookDelivery[]) => Promise<WebhookDelivery[]>;
  /**
   * Makes and records one attempt; `retryAt` says when the delivery is due again, `answered`
   * that the request is over (its outcome is still being recorded).
   */
  attempt: (
    delivery: WebhookDelivery,
    endpoint: WebhookEndpoint,
    hooks: { retryAt: (ms: number) => void; answered: () => void },
  ) => Promise<void>;
  /** Every attempt started, until it settles: the dispatcher waits for them when it stops. */
  attempts: Set<Promise<void>>;
};

/**
 * One enabled endpoint's lane: it takes the endpoint's due deliveries from the store, at most
 * `perEndpoint` at a time, so a slow or dead endpoint fills its own lane and no other; nothing
 * more is buffered (what waits stays in the store, due). It takes them a page at a time — one
 * query, one read of the endpoint, one batch of claims — once half its room is free, rather
 * than one delivery per attempt that ends.
 */
export const startWebhookLane = ({
  endpointId,
  store,
  clock,
  log,
  slots,
  perEndpoint,
  pollIntervalMs,
  pace,
  claim,
  attempt,
  attempts,
}: WebhookLaneOptions) => {
  const inFlight = new Set<string>();
  const alarm = createAlarm();
  const signal = alarm.ring;
  const refillAt = Math.floor(perEndpoint / 2);
  // A lane with more due than room refills once half of it is free, a page of claims at a time;
  // one that took everything due (starved) takes new deliveries into any room at once, and
  // only such a lane takes new deliveries straight from the fan-out (reserve): one with due
  // deliveries waiting in the store takes those first.
  let starved = false;
  // Room kept for deliveries being written claimed (reserve), not started yet.
  let reserved = 0;
  // A page being taken counted its room before it awaited: no room is reserved meanwhile.
  let taking = false;
  let stopped = false;
  // The earliest retry this lane scheduled: it looks again then, not only at the next poll.
  let nextRetryAt = Number.POSITIVE_INFINITY;
  const retryAt = (ms: number) => {
    nextRetryAt = Math.min(nextRetryAt, Date.now() + ms);
    signal();
  };

  const start = (claimed: WebhookDelivery, endpoint: WebhookEndpoint): void => {
    inFlight.add(claimed.id);
    // The room is the endpoint's: it is free once the request is over, while the outcome is
    // written (the delivery stays claimed until then, so no page takes it meanwhile).
    let over = false;
    const answered = () => {
      if (over) return;
      over = true;
      inFlight.delete(claimed.id);
      slots.release();
      // A lane that took everything due has nothing to look for: what is new comes through
      // reserve (or wakes it), retries at their time.
      if (!starved) signal();
    };
    const task: Promise<void> = attempt(claimed, endpoint, { retryAt, answered })
      .catch((error: unknown) =>
        log[retryLogLevel(error)](
          { err: error, deliveryId: claimed.id, endpointId },
          'webhook attempt could not be recorded; it is made again when its claim ends',
        ),
      )
      .finally(() => {
        answered();
        attempts.delete(task);
      });
    attempts.add(task);
  };

  /** Claims and starts a page of what is due; true when more is due and the lane has room. */
  const takeDue = async (): Promise<boolean> => {
    const room = perEndpoint - inFlight.size - reserved;
    const page = await (
      await store.deliveries()
    ).query({
      where: { endpointId, status: 'pending' },
      orderBy: 'dueAt',
      direction: 'asc',
      range: { max: clock.now().toISOString() },
      limit: room,
    });
    const due = page.documents.filter((delivery) => !inFlight.has(delivery.id));
    starved = page.next === undefined && page.documents.length < room;
    if (due.length === 0) return false;
    await pace(due.length);
    const endpoint = await (await store.endpoints()).get(endpointId);
    // Disabled or deleted since: the deliveries wait, pending (the dispatcher ends the lane).
    if (!endpoint || endpoint.status !== 'enabled') return false;
    let held = 0;
    try {
      for (; held < due.length && !stopped; held += 1) await slots.acquire();
      const claimed = stopped ? [] : await claim(due.slice(0, held));
      for (const delivery of claimed) start(delivery, endpoint);
      held -= claimed.length;
    } finally {
      for (; held > 0; held -= 1) slots.release();
    }
    return page.next !== undefined && inFlight.size + reserved <= refillAt;
  };

  const loop = (async () => {
    while (!stopped) {
      if (nextRetryAt <= Date.now()) nextRetryAt = Number.POSITIVE_INFINITY;
      try {
        const busy = inFlight.size + reserved;
        const take = busy < perEndpoint && (starved || busy <= refillAt);
        taking = take;
        if (take && (await takeDue())) continue;
      } catch (error) {
        log[retryLogLevel(error)]({ err: error, endpointId }, 'webhook lane failed; retrying');
      } finally {
        taking = false;
      }
      await alarm.sleep(Math.min(pollIntervalMs, nextRetryAt - Date.now()));
    }
  })();

  return {
    wake: signal,
    /**
     * Room for one new delivery about to be written claimed (webhookDispatcher's admit): given
     * only by a lane that has taken everything due, with room of its own and a free slot. A lane
     * that cannot take it looks at the store again (the delivery is written due there).
     */
    reserve: (): boolean => {
      const room = !stopped && !taking && starved && inFlight.size + reserved < perEndpoint;
      if (room && slots.tryAcquire()) {
        reserved += 1;
        return true;
      }
      starved = false;
      return false;
    },
    /** Attempts a delivery written claimed, in the room `reserve` kept for it. */
    startReserved: (claimed: WebhookDelivery, endpoint: WebhookEndpoint): void => {
      reserved -= 1;
      // Stopping: it stays claimed until its lease ends, then it is due again.
      if (stopped) slots.release();
      else start(claimed, endpoint);
    },
    /** Gives back the room `reserve` kept (the delivery was not written: it existed already). */
    unreserve: (): void => {
      reserved -= 1;
      slots.release();
      signal();
    },
    stop: async () => {
      stopped = true;
      signal();
      await loop;
    },
  };
};

export type WebhookLane = ReturnType<typeof startWebhookLane>;
