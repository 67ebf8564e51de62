import { uuidV5, eventIdNamespace } from '../deterministicEventId.js';
import { gatheredCalls } from '../gatheredCalls.js';
import type { Clock } from '../ports/clock.js';
import type { Reactor } from '../reactor.js';
import type { JsonObject, RecordedEvent } from '../ports/eventStore.js';
import type { Pace } from './deliveryPacer.js';
import { outcomeEventTypeOf } from './refundEventTypes.js';
import { writeNextVersionsOf } from '../versionedDocuments.js';
import {
  type NewDelivery,
  type WebhookDelivery,
  type WebhookEndpoint,
  type WebhookStore,
} from './webhookStore.js';

/** The id of the delivery of one event to one endpoint: the same however often it is fanned out. */
export const deliveryId = (endpointId: string, eventId: string): string =>
  uuidV5(`webhook-delivery:${endpointId}:${eventId}`, eventIdNamespace);

/** The endpoints an event goes to: enabled, subscribed to its type, and created before it. */
const subscribedTo = (
  endpoints: readonly WebhookEndpoint[],
  recorded: RecordedEvent,
): WebhookEndpoint[] => {
  const type = outcomeEventTypeOf(recorded.type);
  return type === undefined
    ? []
    : endpoints.filter(
        (endpoint) =>
          endpoint.eventTypes.includes(type) && BigInt(endpoint.startsAfter) < recorded.position,
      );
};

/**
 * The reactor of webhook delivery (STYLE §5b): its decision is "every refund event", its effect
 * the pending deliveries of that event, one per enabled endpoint subscribed to its type and
 * created before it, each carrying the event object it will send. The effect is idempotent (a
 * delivery is written at version 1 only when it does not exist yet), so the log is followed at
 * least once; the attempts themselves are the dispatcher's (at once for those it admits with room,
 * otherwise from the store), so that a delivery waiting days for its retries never holds the
 * reactor's checkpoint back.
 *
 * The events a runner hands over in one turn (a page of the log) are fanned out together: one
 * read of the endpoints, each refund's stream read at most once, one write of all their
 * deliveries. The endpoints are read after the events were, so one created after an event is
 * never given it (its `startsAfter` is at or past the event), whatever the page.
 */
export const webhookFanOut = ({
  store,
  eventObjects,
  clock,
  pace = async () => undefined,
  admit = async (created) => {
    await writeNextVersionsOf(
      await store.deliveries(),
      created.map(({ delivery }) => delivery),
    );
  },
}: {
  store: WebhookStore;
  /** The event objects (DESIGN §5) of recorded refund events. */
  eventObjects: (recorded: readonly RecordedEvent[]) => Promise<JsonObject[]>;
  clock: Clock;
  /** Waits while the API is too busy for these deliveries (deliveryPacer.ts); by default never. */
  pace?: Pace;
  /**
   * Writes a page's new deliveries (the dispatcher's `admit`, which attempts at once those its
   * lanes have room for); by default they are only written, due now.
   */
  admit?: (created: readonly NewDelivery[]) => Promise<void>;
}): Reactor<RecordedEvent> & { oldestOwed: () => string | undefined } => {
  // Events handed over and not fanned out yet (paced, or retrying): their deliveries are owed
  // though not written, so the backlog's age counts them too.
  const owed = new Set<RecordedEvent>();
  const fanOut = async (page: readonly RecordedEvent[]): Promise<void[]> => {
    const enabled = await (await store.endpoints()).findBy('status', 'enabled');
    const going = page
      .map((recorded) => ({ recorded, endpoints: subscribedTo(enabled, recorded) }))
      .filter(({ endpoints }) => endpoints.length > 0);
    if (going.length > 0) {
      await pace(going.reduce((sum, { endpoints }) => sum + endpoints.length, 0));
      const objects = await eventObjects(going.map(({ recorded }) => recorded));
      const now = clock.now().toISOString();
      await admit(
        going.flatMap(({ recorded, endpoints }, i) => {
          // The same bytes to every endpoint, and on every attempt.
          const payload = JSON.stringify(objects[i]);
          return endpoints.map((endpoint) => ({
            delivery: pendingDelivery(recorded, endpoint.id, payload, now),
            endpoint,
          }));
        }),
      );
    }
    return page.map(() => undefined);
  };
  const fanOutGathered = gatheredCalls(fanOut);

  return {
    name: 'webhook',
    decide: (recorded) => (outcomeEventTypeOf(recorded.type) === undefined ? undefined : recorded),
    act: async (recorded) => {
      owed.add(recorded);
      try {
        await fanOutGathered(recorded);
      } finally {
        owed.delete(recorded);
      }
      return { kind: 'done' };
    },
    /** When the oldest event still being fanned out was recorded (ISO 8601). */
    oldestOwed: () => {
      let oldest: string | undefined;
      for (const { recordedAt } of owed)
        if (oldest === undefined || recordedAt < oldest) oldest = recordedAt;
      return oldest;
    },
    /** A store that does not answer: try again, up to every 30 s, for as long as it takes. */
    retryDelay: (retryCount) => Math.min(30_000, 100 * 2 ** Math.min(retryCount, 9)),
  };
};

/** A new delivery of a recorded outcome event to one endpoint, due now. */
const pendingDelivery = (
  recorded: RecordedEvent,
  endpointId: string,
  payload: string,
  now: string,
): WebhookDelivery => {
  const eventType = outcomeEventTypeOf(recorded.type);
  if (eventType === undefined) throw new Error(`${recorded.type} is not an outcome event`);
  return {
    id: deliveryId(endpointId, recorded.id),
    endpointId,
    eventId: recorded.id,
    eventType,
    outRefundNo: recorded.streamName.slice(recorded.streamName.indexOf('-') + 1),
    createdAt: recorded.recordedAt,
    payload,
    status: 'pending',
    attempts: 0,
    roundAttempts: 0,
    lastAttemptAt: null,
    lastStatusCode: null,
    nextAttemptAt: now,
    dueAt: now,
    version: 1,
  };
};
