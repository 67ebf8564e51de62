import { createAlarm } from '../alarm.js';
import type { Clock } from '../ports/clock.js';
import type { Log } from '../ports/log.js';
import { retryLogLevel } from '../retryLogLevel.js';
import { gatheredCalls } from '../gatheredCalls.js';
import { createSemaphore } from '../semaphore.js';
import { writeNextVersionsOf } from '../versionedDocuments.js';
import {
  deliveryAfterAttempt,
  signingSecrets,
  type AttemptOutcome,
} from './deliveryAfterAttempt.js';
import type { Pace } from './deliveryPacer.js';
import { changeDocument } from './webhookEndpoints.js';
import { startWebhookLane, type WebhookLane } from './webhookLane.js';
import type { WebhookAttemptResult, WebhookSender } from './webhookPorts.js';
import {
  type NewDelivery,
  type WebhookDelivery,
  type WebhookEndpoint,
  type WebhookStore,
} from './webhookStore.js';

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
  /** How long a write of deliveries waits for others to share its transaction. */
  writeWindowMs?: number;
  /** Waits while the API is too busy for the deliveries a lane takes (deliveryPacer.ts). */
  pace?: Pace;
  onAttempt?: (endpointId: string, outcome: AttemptOutcome, result: WebhookAttemptResult) => void;
};

/**
 * Makes the attempts of pending deliveries (the fan-out reactor creates them from the log). Each
 * enabled endpoint has a lane of its own (`webhookLane.ts`). Before an attempt a lane claims the
 * delivery with a compare-and-set that moves its due time to the end of a lease: another
 * instance on the same store neither sees it due nor wins the write, until the lease ends
 * unreported (a crash), when the delivery is due again. At least once: an attempt the endpoint
 * received whose outcome was not stored is made again, with the same webhook-id. Claims and
 * outcomes made in the same turn (a lane's page, attempts that end together) are written in one
 * batch, each still its own compare-and-set.
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
  writeWindowMs = 5,
  pace = async () => undefined,
  onAttempt = () => undefined,
}: WebhookDispatcherOptions) => {
  const slots = createSemaphore(maxInFlight);
  const lanes = new Map<string, WebhookLane>();
  const attempts = new Set<Promise<void>>();
  const mainAlarm = createAlarm();
  let stopped = false;

  const isoIn = (ms: number) => new Date(clock.now().getTime() + ms).toISOString();

  // Each creation, claim and outcome is a compare-and-set on the delivery's version; those made
  // within a few milliseconds of each other are written together (one transaction on SQLite):
  // a transaction costs more than the documents in it.
  const writeNextVersions = gatheredCalls(
    async (next: readonly WebhookDelivery[]): Promise<boolean[]> =>
      writeNextVersionsOf(await store.deliveries(), next),
    { windowMs: writeWindowMs },
  );

  const claim = async (due: readonly WebhookDelivery[]): Promise<WebhookDelivery[]> => {
    const leaseEnd = isoIn(timeoutMs + leaseMarginMs);
    const claims = due.map((delivery) => ({
      ...delivery,
      dueAt: leaseEnd,
      version: delivery.version + 1,
    }));
    const won = await Promise.all(claims.map(writeNextVersions));
    return claims.filter((_, i) => won[i]);
  };

  /**
   * New deliveries from the fan-out. Those whose lane has room are born claimed: written with
   * the lease already on them and attempted at once, with no query and no claim of their own;
   * the rest are written due now and wait in the store for their lane.
   */
  const admit = async (created: readonly NewDelivery[]): Promise<void> => {
    const leaseEnd = isoIn(timeoutMs + leaseMarginMs);
    const laneOf = created.map(({ endpoint }) => lanes.get(endpoint.id));
    const reserved = laneOf.map((lane) => lane?.reserve() ?? false);
    const deliveries = created.map(({ delivery }, i) =>
      reserved[i] ? { ...delivery, dueAt: leaseEnd } : delivery,
    );
    let written: readonly boolean[] = [];
    try {
      written = await Promise.all(deliveries.map(writeNextVersions));
    } finally {
      laneOf.forEach((lane, i) => {
        if (!lane || !reserved[i]) return;
        if (written[i]) lane.startReserved(deliveries[i]!, created[i]!.endpoint);
        else lane.unreserve();
      });
    }
    if (reserved.includes(false)) wakeLanes();
  };

  const disable = async (endpointId: string): Promise<void> => {
    await changeDocument(await store.endpoints(), endpointId, (endpoint) =>
      endpoint.status === 'enabled'
        ? { ...endpoint, status: 'disabled', updatedAt: clock.now().toISOString() }
        : undefined,
    );
  };

  const attempt = async (
    delivery: WebhookDelivery,
    endpoint: WebhookEndpoint,
    { retryAt, answered }: { retryAt: (ms: number) => void; answered: () => void },
  ): Promise<void> => {
    const result = await send({
      url: endpoint.url,
      webhookId: delivery.eventId,
      body: delivery.payload,
      secrets: signingSecrets(endpoint, clock.now().toISOString()),
    });
    answered();
    const { next, outcome, retryInMs } = deliveryAfterAttempt(delivery, result, {
      now: clock.now(),
      scheduleMs,
      random,
    });
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
    if (!(await writeNextVersions(next))) {
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

  const refresh = async (): Promise<void> => {
    const enabled = await (await store.endpoints()).findBy('status', 'enabled');
    const ids = new Set(enabled.map((endpoint) => endpoint.id));
    for (const [id, lane] of lanes) {
      if (!ids.has(id)) {
        lanes.delete(id);
        await lane.stop();
      }
    }
    for (const id of ids)
      if (!lanes.has(id))
        lanes.set(
          id,
          startWebhookLane({
            endpointId: id,
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
          }),
        );
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

  /** New deliveries: the lanes look now (the endpoints are as they were). */
  const wakeLanes = (): void => {
    for (const lane of lanes.values()) lane.wake();
  };

  return {
    /** Changed endpoints: look now rather than at the next poll. */
    wake: (): void => {
      mainAlarm.ring();
      wakeLanes();
    },
    admit,
    /** Attempts in flight. */
    inFlight: (): number => attempts.size,
    /**
     * Per enabled endpoint, how old the event of its oldest pending delivery is — or the event
     * recorded at `owedSince`, when older (one whose deliveries are not written yet).
     */
    oldestPending: async (
      owedSince?: string,
    ): Promise<{ endpointId: string; seconds: number }[]> => {
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
          const since = [oldest?.createdAt, owedSince]
            .filter((at): at is string => at !== undefined)
            .sort()[0];
          const seconds = since ? Math.max(0, (now - Date.parse(since)) / 1000) : 0;
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
