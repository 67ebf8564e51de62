import { uuidV5, eventIdNamespace } from '../deterministicEventId.js';
import type { Clock } from '../ports/clock.js';
import type { Reactor } from '../reactor.js';
import type { JsonObject, RecordedEvent } from '../ports/eventStore.js';
import { outcomeEventTypeOf } from './refundEventTypes.js';
import type { WebhookDelivery, WebhookStore } from './webhookStore.js';

/** The id of the delivery of one event to one endpoint: the same however often it is fanned out. */
export const deliveryId = (endpointId: string, eventId: string): string =>
  uuidV5(`webhook-delivery:${endpointId}:${eventId}`, eventIdNamespace);

/**
 * The reactor of webhook delivery (STYLE §5b): its decision is "every refund event", its effect
 * the pending deliveries of that event, one per enabled endpoint subscribed to its type and
 * created before it, each carrying the event object it will send. The effect is idempotent (a
 * delivery is written at version 1 only when it does not exist yet), so the log is followed at
 * least once; the attempts themselves are the dispatcher's, from the store, so that a delivery
 * waiting days for its retries never holds the reactor's checkpoint back.
 */
export const webhookFanOut = ({
  store,
  eventObjects,
  clock,
  onCreated,
}: {
  store: WebhookStore;
  /** The event objects (DESIGN §5) of recorded refund events. */
  eventObjects: (recorded: readonly RecordedEvent[]) => Promise<JsonObject[]>;
  clock: Clock;
  /** Deliveries were written (the dispatcher looks now). */
  onCreated: () => void;
}): Reactor<RecordedEvent> => ({
  name: 'webhook',
  decide: (recorded) => (outcomeEventTypeOf(recorded.type) === undefined ? undefined : recorded),
  act: async (recorded) => {
    const type = outcomeEventTypeOf(recorded.type);
    if (type === undefined) return { kind: 'done' };
    const subscribed = (await (await store.endpoints()).findBy('status', 'enabled')).filter(
      (endpoint) =>
        endpoint.eventTypes.includes(type) && BigInt(endpoint.startsAfter) < recorded.position,
    );
    if (subscribed.length === 0) return { kind: 'done' };
    const [object] = await eventObjects([recorded]);
    const payload = JSON.stringify(object);
    const now = clock.now().toISOString();
    const outRefundNo = recorded.streamName.slice(recorded.streamName.indexOf('-') + 1);
    await (
      await store.deliveries()
    ).writeMany(
      subscribed.map((endpoint) => {
        const delivery: WebhookDelivery = {
          id: deliveryId(endpoint.id, recorded.id),
          endpointId: endpoint.id,
          eventId: recorded.id,
          eventType: type,
          outRefundNo,
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
        return { id: delivery.id, body: delivery, position: 1n };
      }),
    );
    onCreated();
    return { kind: 'done' };
  },
  /** A store that does not answer: try again, up to every 30 s, for as long as it takes. */
  retryDelay: (retryCount) => Math.min(30_000, 100 * 2 ** Math.min(retryCount, 9)),
});
