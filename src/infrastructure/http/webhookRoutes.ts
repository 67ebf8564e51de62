import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { outcomeEventTypes } from '../../application/webhooks/refundEventTypes.js';
import type { WebhookEndpoints } from '../../application/webhooks/webhookEndpoints.js';
import {
  deliveryResourceSchema,
  endpointResourceSchema,
} from '../../application/webhooks/webhookStore.js';
import { problemSchema } from './problem.js';
import { instantSchema, pageLimit } from './refundSchemas.js';

const urlSchema = z
  .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
  .max(2048, 'must be at most 2048 characters');
const eventTypesSchema = z
  .array(z.enum(outcomeEventTypes))
  .min(1, 'must name at least one event type');
const descriptionSchema = z.string().max(256, 'must be at most 256 characters');

const endpointSchema = endpointResourceSchema.meta({ id: 'WebhookEndpoint' });
const deliverySchema = deliveryResourceSchema.meta({ id: 'WebhookDelivery' });

const params = z.object({ id: z.string().min(1).max(64) });
const secretSchema = z.string().describe('whsec_…: shown only here; sign checks with it');
const refused = { 400: problemSchema, 401: problemSchema, 404: problemSchema };

/** /v1/webhook-endpoints (DESIGN §5; signing and delivery rules in WEBHOOKS.md). */
export const webhookRoutes =
  ({ endpoints }: { endpoints: WebhookEndpoints }): FastifyPluginAsyncZod =>
  async (app) => {
    app.post(
      '/webhook-endpoints',
      {
        schema: {
          summary: 'Register a webhook endpoint (its secret is in this answer only)',
          body: z.strictObject({
            url: urlSchema,
            eventTypes: eventTypesSchema.exactOptional(),
            description: descriptionSchema.exactOptional(),
          }),
          response: { 201: endpointSchema.extend({ secret: secretSchema }), ...refused },
        },
      },
      async (request, reply) => reply.code(201).send(await endpoints.create(request.body)),
    );

    app.get(
      '/webhook-endpoints',
      {
        schema: {
          summary: 'The webhook endpoints',
          response: { 200: z.object({ data: z.array(endpointSchema) }), 401: problemSchema },
        },
      },
      async () => ({ data: await endpoints.list() }),
    );

    app.get(
      '/webhook-endpoints/:id',
      {
        schema: {
          summary: 'A webhook endpoint',
          params,
          response: { 200: endpointSchema, ...refused },
        },
      },
      async (request) => endpoints.get(request.params.id),
    );

    app.patch(
      '/webhook-endpoints/:id',
      {
        schema: {
          summary: 'Change a webhook endpoint (disable it, change its URL or event types)',
          params,
          body: z.strictObject({
            url: urlSchema.exactOptional(),
            eventTypes: eventTypesSchema.exactOptional(),
            description: descriptionSchema.nullable().exactOptional(),
            status: z.enum(['enabled', 'disabled']).exactOptional(),
          }),
          response: { 200: endpointSchema, ...refused },
        },
      },
      async (request) => endpoints.update(request.params.id, request.body),
    );

    app.delete(
      '/webhook-endpoints/:id',
      {
        schema: {
          summary: 'Delete a webhook endpoint',
          params,
          response: { 204: z.null().describe('Deleted'), ...refused },
        },
      },
      async (request, reply) => {
        await endpoints.remove(request.params.id);
        return reply.code(204).send(null);
      },
    );

    app.post(
      '/webhook-endpoints/:id/rotate-secret',
      {
        schema: {
          summary: 'A new secret; for 24 hours attempts carry signatures with the new and the old',
          params,
          body: z.strictObject({}).nullish(),
          response: { 200: z.object({ secret: secretSchema }), ...refused },
        },
      },
      async (request) => endpoints.rotateSecret(request.params.id),
    );

    app.get(
      '/webhook-endpoints/:id/deliveries',
      {
        schema: {
          summary: "An endpoint's deliveries, newest event first",
          params,
          querystring: z.strictObject({
            status: z.enum(['pending', 'succeeded', 'failed']).exactOptional(),
            limit: pageLimit(100, 20),
            cursor: z.string().min(1).exactOptional(),
          }),
          response: {
            200: z.object({ data: z.array(deliverySchema), nextCursor: z.string().nullable() }),
            ...refused,
          },
        },
      },
      async (request) => endpoints.deliveries(request.params.id, request.query),
    );

    app.post(
      '/webhook-endpoints/:id/recover',
      {
        schema: {
          summary: 'Attempt again every failed delivery of events since a time (same webhook-id)',
          params,
          body: z.strictObject({ since: instantSchema(false) }),
          response: { 202: z.object({ recovered: z.number().int() }), ...refused },
        },
      },
      async (request, reply) =>
        reply.code(202).send(await endpoints.recover(request.params.id, request.body.since)),
    );
  };
