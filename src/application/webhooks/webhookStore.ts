import { z } from 'zod';
import type { DocumentCollection, DocumentStore } from '../ports/documentStore.js';
import { openedOnFirstUse } from '../versionedDocuments.js';
import { outcomeEventTypes } from './refundEventTypes.js';

/*
 * Endpoints and delivery state live in the document store, not in the event log: an endpoint is
 * mutable configuration holding a secret, and the log is immutable and replayed by every auditor.
 * They are primary data (not rebuildable read models): `read.db` / the MongoDB database must be
 * kept. Each document's position is its version (writeNextVersion).
 */

const endpointSchema = z.object({
  id: z.string(),
  url: z.string(),
  eventTypes: z.array(z.enum(outcomeEventTypes)),
  description: z.string().nullable(),
  status: z.enum(['enabled', 'disabled']),
  secret: z.string(),
  previousSecret: z.string().exactOptional(),
  /** Until when attempts are also signed with previousSecret (a rotation's overlap). */
  previousSecretExpiresAt: z.string().exactOptional(),
  createdAt: z.string(),
  updatedAt: z.string(),
  /** Log position of the last refund event before the endpoint existed ("-1": none). */
  startsAfter: z.string().regex(/^-?\d+$/),
  version: z.number().int(),
});
export type WebhookEndpoint = z.infer<typeof endpointSchema>;

/** An endpoint as the API shows it: never its secret. Parsing a stored one leaves the rest out. */
export const endpointResourceSchema = endpointSchema.pick({
  id: true,
  url: true,
  eventTypes: true,
  description: true,
  status: true,
  createdAt: true,
});
export type EndpointResource = z.infer<typeof endpointResourceSchema>;

const deliverySchema = z.object({
  id: z.string(),
  endpointId: z.string(),
  eventId: z.string(),
  eventType: z.enum(outcomeEventTypes),
  outRefundNo: z.string(),
  /** When the event was recorded: deliveries are listed, and recovered, by it. */
  createdAt: z.string(),
  /** The event object as sent, the same bytes on every attempt. */
  payload: z.string(),
  status: z.enum(['pending', 'succeeded', 'failed']),
  attempts: z.number().int(),
  /** Attempts since the schedule (re)started: a recovery starts it again. */
  roundAttempts: z.number().int(),
  lastAttemptAt: z.string().nullable(),
  lastStatusCode: z.number().int().nullable(),
  nextAttemptAt: z.string().nullable(),
  /** When a dispatcher may take it: nextAttemptAt, or the end of the lease of the one trying it. */
  dueAt: z.string(),
  version: z.number().int(),
});
export type WebhookDelivery = z.infer<typeof deliverySchema>;

/** A delivery as the API shows it (DESIGN §5). */
export const deliveryResourceSchema = deliverySchema.pick({
  id: true,
  eventId: true,
  eventType: true,
  outRefundNo: true,
  status: true,
  attempts: true,
  lastAttemptAt: true,
  lastStatusCode: true,
  nextAttemptAt: true,
});
export type DeliveryResource = z.infer<typeof deliveryResourceSchema>;
export type DeliveryStatus = WebhookDelivery['status'];

/** A delivery the fan-out created, with the endpoint as the fan-out read it. */
export type NewDelivery = { delivery: WebhookDelivery; endpoint: WebhookEndpoint };

export type WebhookStore = {
  endpoints: () => Promise<DocumentCollection<WebhookEndpoint>>;
  deliveries: () => Promise<DocumentCollection<WebhookDelivery>>;
};

export const openWebhookStore = (documents: DocumentStore): WebhookStore => ({
  endpoints: openedOnFirstUse(() =>
    documents.collection('webhook_endpoints', {
      decode: (value) => endpointSchema.parse(value),
      indexes: ['status'],
    }),
  ),
  deliveries: openedOnFirstUse(() =>
    documents.collection('webhook_deliveries', {
      decode: (value) => deliverySchema.parse(value),
      orderedIndexes: [
        { equal: ['endpointId'], orderBy: 'createdAt', direction: 'desc' },
        { equal: ['endpointId', 'status'], orderBy: 'createdAt', direction: 'desc' },
        { equal: ['endpointId', 'status'], orderBy: 'createdAt', direction: 'asc' },
        { equal: ['endpointId', 'status'], orderBy: 'dueAt', direction: 'asc' },
      ],
    }),
  ),
});
