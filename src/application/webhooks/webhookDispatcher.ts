import { writeNextVersion } from '../versionedDocuments.js';
import { createAlarm } from '../alarm.js';
import type { Clock } from '../ports/clock.js';
import type { Log } from '../ports/log.js';
import { retryLogLevel } from '../retryLogLevel.js';
import { createSemaphore } from '../semaphore.js';
import { changeDocument } from './webhookEndpoints.js';
import type { WebhookAttemptResult, WebhookSender } from './webhookPorts.js';
import { webhookRetryDelay } from './webhookRetrySchedule.js';
import { type WebhookDelivery, type WebhookEndpoint, type WebhookStore } from './webhookStore.js';

/** What an attempt came to, for metrics: `retry` waits for the next one. */
export type AttemptOutcome = 'succeeded' | 'retry' | 'failed' | 'disabled';

export type WebhookDispatcherOptions = {
  store: WebhookStore;
  send: WebhookSender;
  clock: Clock;
  log: Log;
  random: () => number;
  scheduleMs: readonly number[];
  /** WEBHOOK_TIMEOUT_MS: a claim lasts this long and a margin, then another instance may try. */
  timeoutMs: number;
  /** Attempts in flight to one endpoint: a slow one holds no more than this. */
  perEndpoint?: number;
  /** Attempts in flight altogether. */
  maxInFlight?: number;
  /** How often the endpoints and due deliveries are looked at without a wake-up. */
  pollIntervalMs?: number;
  leaseMarginMs?: number;
  onAttempt?: (endpointId: string, outcome: AttemptOutcome, result: WebhookAttemptResult) => void;
};

const isSuccess = (status: number) => status >= 200 && status < 300;

/** The secrets an attempt is signed with now: the new one, and the old one during a rotation. */
const signingSecrets = (endpoint: WebhookEndpoint, now: string): string[] =>
  endpoint.previousSecret !== undefined &&
  endpoint.previousSecretExpiresAt !== undefined &&
  now < endpoint.previousSecretExpiresAt
    ? [endpoint.secret, endpoint.previousSecret]
    : [endpoint.secret];

/**
 * Makes the attempts of pending deliveries (the fan-out reactor creates them from the log). Each
 * enabled endpoint has a lane of its own that takes its due deliveries from the store, at most
 * `perEndpoint` at a time, so a slow or dead endpoint fills its own lane and no other; nothing
 * more is buffered (what waits stays in the store, due). Before an attempt a lane claims the
 * delivery with a compare-and-set that moves its due time to the end of a lease: another
 * instance on the same store neither sees it due nor wins the write, until the lease ends
 * unreported (a crash), when the delivery is due again. At least once: an attempt the endpoint
 * received whose outcome was not stored is made again, with the same webhook-id.
 */
export const startWebhookDispatcher = ({
  store,
  send,
  clock,
  log,
  random,
  scheduleMs,
  timeoutMs,
  perEndpoint = 8,
  maxInFlight = 64,
  pollIntervalMs = 1000,
  leaseMarginMs = 1000,
  onAttempt = () => undefined,
}: WebhookDispatcherOptions) => {
  const slots = createSemaphore(maxInFlight);
  const lanes = new Map<string, ReturnType<typeof startLane>>();
  const attempts = new Set<Promise<void>>();
  const mainAlarm = createAlarm();
  let stopped = false;

  const isoIn = (ms: number) => new Date(clock.now().getTime() + ms).toISOString();

  const claim = async (delivery: WebhookDelivery): Promise<WebhookDelivery | undefined> => {
    const claimed = {
      ...delivery,
      dueAt: isoIn(timeoutMs + leaseMarginMs),
      version: delivery.version + 1,
    };
    return (await writeNextVersion(await store.deliveries(), delivery.id, claimed))
      ? claimed
      : undefined;
  };

  const disable = async (endpointId: string): Promise<void> => {
    await changeDocument(await store.endpoints(), endpointId, (endpoint) =>
      endpoint.status === 'enabled'
        ? { ...endpoint, status: 'disabled', updatedAt: clock.now().toISOString() }
        : undefined,
    );
  };

  /** The delivery after an attempt; `retryInMs` when another one is scheduled. */
  const afterAttempt = (
    delivery: WebhookDelivery,
    result: WebhookAttemptResult,
  ): { next: WebhookDelivery; outcome: AttemptOutcome; retryInMs?: number } => {
    const now = clock.now().toISOString();
    const tried = {
      ...delivery,
      attempts: delivery.attempts + 1,
      roundAttempts: delivery.roundAttempts + 1,
      lastAttemptAt: now,
      lastStatusCode: result.kind === 'answered' ? result.status : null,
      version: delivery.version + 1,
    };
    const ended = (status: 'succeeded' | 'failed') => ({
      ...tried,
      status,
      nextAttemptAt: null,
      dueAt: now,
    });
    if (result.kind === 'answered' && isSuccess(result.status)) {
      return { next: ended('succeeded'), outcome: 'succeeded' };
    }
    if (result.kind === 'answered' && result.status === 410) {
      return { next: ended('failed'), outcome: 'disabled' };
    }
    const delay = webhookRetryDelay({
      scheduleMs,
      failedInRound: tried.roundAttempts,
      random,
      ...(result.kind === 'answered' &&
        result.retryAfterMs !== undefined && { retryAfterMs: result.retryAfterMs }),
    });
    if (delay === undefined) return { next: ended('failed'), outcome: 'failed' };
    const at = isoIn(delay);
    return {
      next: { ...tried, nextAttemptAt: at, dueAt: at },
      outcome: 'retry',
      retryInMs: delay,
    };
  };

  const attempt = async (
    delivery: WebhookDelivery,
    retryAt: (ms: number) => void,
  ): Promise<void> => {
    const endpoint = await (await store.endpoints()).get(delivery.endpointId);
    // Disabled or deleted since: the claim lapses and the delivery waits, pending.
    if (!endpoint || endpoint.status !== 'enabled') return;
    const result = await send({
      url: endpoint.url,
      webhookId: delivery.eventId,
      body: delivery.payload,
      secrets: signingSecrets(endpoint, clock.now().toISOString()),
    });
    const { next, outcome, retryInMs } = afterAttempt(delivery, result);
    if (outcome !== 'succeeded') {
      log.warn(
        {
          endpointId: endpoint.id,
          deliveryId: delivery.id,
          eventId: delivery.eventId,
          attempt: next.attempts,
          ...(result.kind === 'answered'
            ? { statusCode: result.status }
            : { reason: result.reason }),
          outcome,
          nextAttemptAt: next.nextAttemptAt,
        },
        'webhook attempt failed',
      );
    }
    if (!(await writeNextVersion(await store.deliveries(), delivery.id, next))) {
      // The lease ran out before the answer came, and another dispatcher took the delivery.
      log.debug({ deliveryId: delivery.id }, 'webhook attempt outcome superseded');
      return;
    }
    if (outcome === 'disabled') {
      await disable(endpoint.id);
      mainAlarm.ring();
    }
    if (retryInMs !== undefined) retryAt(retryInMs);
    onAttempt(endpoint.id, outcome, result);
  };

  const startLane = (endpointId: string) => {
    const inFlight = new Set<string>();
    const alarm = createAlarm();
    const signal = alarm.ring;
    let laneStopped = false;
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
        if (inFlight.size >= perEndpoint || laneStopped) return true;
        if (inFlight.has(due.id)) continue;
        await slots.acquire();
        const claimed = laneStopped ? undefined : await claim(due).catch(() => undefined);
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
      while (!laneStopped) {
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
        laneStopped = true;
        signal();
        await loop;
      },
    };
  };

  const refresh = async (): Promise<void> => {
    const enabled = await (await store.endpoints()).findBy('status', 'enabled');
    const ids = new Set(enabled.map((endpoint) => endpoint.id));
    for (const [id, lane] of lanes) {
      if (!ids.has(id)) {
        lanes.delete(id);
        await lane.stop();
      }
    }
    for (const id of ids) if (!lanes.has(id)) lanes.set(id, startLane(id));
  };

  const main = (async () => {
    while (!stopped) {
      try {
        await refresh();
      } catch (error) {
        log[retryLogLevel(error)]({ err: error }, 'webhook dispatcher could not read endpoints');
      }
      await mainAlarm.sleep(pollIntervalMs);
    }
  })();

  return {
    /** New deliveries or changed endpoints: look now rather than at the next poll. */
    wake: (): void => {
      mainAlarm.ring();
      for (const lane of lanes.values()) lane.wake();
    },
    /** Attempts in flight. */
    inFlight: (): number => attempts.size,
    /** Per enabled endpoint, how old the event of its oldest pending delivery is. */
    oldestPending: async (): Promise<{ endpointId: string; seconds: number }[]> => {
      const deliveries = await store.deliveries();
      const now = clock.now().getTime();
      return Promise.all(
        [...lanes.keys()].map(async (endpointId) => {
          const [oldest] = (
            await deliveries.query({
              where: { endpointId, status: 'pending' },
              orderBy: 'createdAt',
              direction: 'asc',
              limit: 1,
            })
          ).documents;
          const seconds = oldest ? Math.max(0, (now - Date.parse(oldest.createdAt)) / 1000) : 0;
          return { endpointId, seconds };
        }),
      );
    },
    /** Ends the lanes; attempts in flight finish (within the timeout) and are recorded. */
    stop: async (): Promise<void> => {
      stopped = true;
      mainAlarm.ring();
      await main;
      for (const lane of lanes.values()) await lane.stop();
      slots.releaseAll();
      await Promise.all(attempts);
    },
  };
};

export type WebhookDispatcher = ReturnType<typeof startWebhookDispatcher>;
