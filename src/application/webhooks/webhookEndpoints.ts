import { randomBytes, randomUUID } from 'node:crypto';
import type { DocumentCollection } from '../ports/documentStore.js';
import type { Clock } from '../ports/clock.js';
import type { EventStore } from '../ports/eventStore.js';
import { queryPages } from '../queryPages.js';
import { refundCategory } from '../refundEventCodec.js';
import { outcomeEventTypes, type OutcomeEventType } from './refundEventTypes.js';
import type { WebhookUrlPolicy } from './webhookPorts.js';
import { WebhookRuleViolation } from './webhookRuleViolation.js';
import {
  deliveryResourceSchema,
  endpointResourceSchema,
  type DeliveryResource,
  type EndpointResource,
  type DeliveryStatus,
  type WebhookDelivery,
  type WebhookStore,
  type WebhookEndpoint,
} from './webhookStore.js';
import { writeNextVersion } from '../versionedDocuments.js';

export type EndpointChange = {
  url?: string;
  eventTypes?: OutcomeEventType[];
  description?: string | null;
  status?: 'enabled' | 'disabled';
};

/** Standard Webhooks secret: `whsec_` + base64 of 32 random bytes (DESIGN §5). */
export const newWebhookSecret = (): string => `whsec_${randomBytes(32).toString('base64')}`;

const endpointResource = (endpoint: WebhookEndpoint): EndpointResource =>
  endpointResourceSchema.parse(endpoint);

/**
 * Changes a document through compare-and-set, reading it again when another writer won; undefined
 * when it does not exist.
 */
export const changeDocument = async <T extends WebhookEndpoint | WebhookDelivery>(
  collection: DocumentCollection<T>,
  id: string,
  change: (current: T) => T | undefined,
): Promise<T | undefined> => {
  for (;;) {
    const current = await collection.get(id);
    if (!current) return undefined;
    const next = change(current);
    if (!next) return current;
    if (await writeNextVersion(collection, id, { ...next, version: current.version + 1 })) {
      return { ...next, version: current.version + 1 };
    }
  }
};

/** The use cases of /v1/webhook-endpoints (DESIGN §5). */
export const webhookEndpoints = ({
  store,
  events,
  clock,
  urlPolicy,
  rotationOverlapMs = 24 * 3600_000,
  onChange = () => undefined,
}: {
  store: WebhookStore;
  events: EventStore;
  clock: Clock;
  urlPolicy: WebhookUrlPolicy;
  rotationOverlapMs?: number;
  /** Called after an endpoint is created or changed (the dispatcher looks again). */
  onChange?: () => void;
}) => {
  const allowed = async (url: string): Promise<void> => {
    const verdict = await urlPolicy(url);
    if (!verdict.ok) throw new WebhookRuleViolation('WEBHOOK_URL_REFUSED', verdict.reason);
  };
  const notFound = (id: string) =>
    new WebhookRuleViolation('WEBHOOK_ENDPOINT_NOT_FOUND', `no webhook endpoint ${id}`);
  const existing = async (id: string): Promise<WebhookEndpoint> => {
    const endpoint = await (await store.endpoints()).get(id);
    if (!endpoint) throw notFound(id);
    return endpoint;
  };
  const change = async (id: string, update: (e: WebhookEndpoint) => WebhookEndpoint) => {
    const changed = await changeDocument(await store.endpoints(), id, update);
    if (!changed) throw notFound(id);
    onChange();
    return changed;
  };

  return {
    create: async (input: {
      url: string;
      eventTypes?: OutcomeEventType[];
      description?: string;
    }): Promise<EndpointResource & { secret: string }> => {
      await allowed(input.url);
      // Read before the endpoint exists: it receives the events after this position.
      const head = await events.headPosition(refundCategory);
      const now = clock.now().toISOString();
      const endpoint: WebhookEndpoint = {
        id: `ep_${randomUUID().replaceAll('-', '')}`,
        url: input.url,
        eventTypes: [...new Set(input.eventTypes ?? outcomeEventTypes)],
        description: input.description ?? null,
        status: 'enabled',
        secret: newWebhookSecret(),
        createdAt: now,
        updatedAt: now,
        startsAfter: (head ?? -1n).toString(),
        version: 1,
      };
      await writeNextVersion(await store.endpoints(), endpoint.id, endpoint);
      onChange();
      return { ...endpointResource(endpoint), secret: endpoint.secret };
    },
    list: async (): Promise<EndpointResource[]> => {
      const found: EndpointResource[] = [];
      for await (const endpoint of (await store.endpoints()).all()) {
        found.push(endpointResource(endpoint));
      }
      return found.sort(
        (a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id),
      );
    },
    get: async (id: string): Promise<EndpointResource> => endpointResource(await existing(id)),
    update: async (id: string, changes: EndpointChange): Promise<EndpointResource> => {
      if (changes.url !== undefined) await allowed(changes.url);
      const updated = await change(id, (endpoint) => ({
        ...endpoint,
        ...(changes.url !== undefined && { url: changes.url }),
        ...(changes.eventTypes !== undefined && { eventTypes: [...new Set(changes.eventTypes)] }),
        ...(changes.description !== undefined && { description: changes.description }),
        ...(changes.status !== undefined && { status: changes.status }),
        updatedAt: clock.now().toISOString(),
      }));
      return endpointResource(updated);
    },
    remove: async (id: string): Promise<void> => {
      const endpoints = await store.endpoints();
      for (;;) {
        const stored = await endpoints.get(id);
        if (!stored) throw notFound(id);
        if (await endpoints.delete(id, BigInt(stored.version + 1))) break;
      }
      onChange();
    },
    /** A new secret; the old one keeps signing too until the overlap ends. */
    rotateSecret: async (id: string): Promise<{ secret: string }> => {
      const now = clock.now();
      const rotated = await change(id, (endpoint) => ({
        ...endpoint,
        secret: newWebhookSecret(),
        previousSecret: endpoint.secret,
        previousSecretExpiresAt: new Date(now.getTime() + rotationOverlapMs).toISOString(),
        updatedAt: now.toISOString(),
      }));
      return { secret: rotated.secret };
    },
    deliveries: async (
      id: string,
      query: { status?: DeliveryStatus; limit: number; cursor?: string },
    ): Promise<{ data: DeliveryResource[]; nextCursor: string | null }> => {
      await existing(id);
      const page = await (
        await store.deliveries()
      ).query({
        where: { endpointId: id, ...(query.status !== undefined && { status: query.status }) },
        orderBy: 'createdAt',
        direction: 'desc',
        limit: query.limit,
        ...(query.cursor !== undefined && { after: query.cursor }),
      });
      return {
        data: page.documents.map((delivery) => deliveryResourceSchema.parse(delivery)),
        nextCursor: page.next ?? null,
      };
    },
    /** Every failed delivery of events since `since` goes back to pending, due now. */
    recover: async (id: string, since: string): Promise<{ recovered: number }> => {
      await existing(id);
      const deliveries = await store.deliveries();
      const now = clock.now().toISOString();
      let recovered = 0;
      // Recovered deliveries leave the `failed` index: the cursor still continues past them.
      const pages = queryPages(() => deliveries, {
        where: { endpointId: id, status: 'failed' },
        orderBy: 'createdAt',
        direction: 'desc',
        range: { min: since },
        limit: 100,
      });
      for await (const page of pages) {
        for (const failed of page) {
          const again = await changeDocument(deliveries, failed.id, (delivery) =>
            delivery.status === 'failed'
              ? { ...delivery, status: 'pending', roundAttempts: 0, nextAttemptAt: now, dueAt: now }
              : undefined,
          );
          if (again?.status === 'pending') recovered += 1;
        }
      }
      onChange();
      return { recovered };
    },
  };
};

export type WebhookEndpoints = ReturnType<typeof webhookEndpoints>;
