import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { outcomeEventTypes } from '../../application/webhooks/refundEventTypes.js';
import type { EventFeed } from '../../projections/eventFeed.js';
import { problemSchema } from './problem.js';
import { pageLimit, refundResourceSchema } from './refundSchemas.js';

export const eventObjectSchema = z
  .object({
    id: z.string().describe("The stored event's id; the webhook-id of its deliveries"),
    type: z.enum(outcomeEventTypes),
    createdAt: z.string().describe('When the event was recorded'),
    data: z.object({
      object: refundResourceSchema.describe('The refund right after this event'),
    }),
  })
  .meta({ id: 'EventObject' });

const eventTypeList = z
  .string()
  .transform((text) => text.split(',').map((type) => type.trim()))
  .pipe(z.array(z.enum(outcomeEventTypes)).min(1));

const feedQuerySchema = z.strictObject({
  after: z.string().min(1).exactOptional().describe('nextCursor of the previous answer'),
  types: eventTypeList.exactOptional().describe('Comma-separated event types'),
  limit: pageLimit(500, 100),
  waitSeconds: z
    .string()
    .regex(/^\d+$/, 'must be an integer from 0 to 30')
    .transform(Number)
    .pipe(z.number().int().min(0).max(30))
    .default(0)
    .describe('Long poll: wait up to this long for an event when there is none yet'),
});

/** GET /v1/events (DESIGN §5): the feed for services that cannot receive webhooks. */
export const eventFeedRoute =
  ({ feed }: { feed: EventFeed }): FastifyPluginAsyncZod =>
  async (app) => {
    app.get(
      '/events',
      {
        schema: {
          summary: 'Refund events in log order (long poll with waitSeconds)',
          querystring: feedQuerySchema,
          response: {
            200: z.object({ data: z.array(eventObjectSchema), nextCursor: z.string() }),
            400: problemSchema,
            401: problemSchema,
          },
        },
      },
      async (request) => {
        const { after, types, limit, waitSeconds } = request.query;
        return feed.read({
          ...(after !== undefined && { after }),
          ...(types !== undefined && { types }),
          limit,
          waitMs: waitSeconds * 1000,
        });
      },
    );
  };
