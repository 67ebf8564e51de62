import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Metrics } from '../observability/metrics.js';
import { readinessCodes, type Readiness } from '../observability/readiness.js';

const readinessSchema = z.object({
  ready: z.boolean(),
  checks: z.record(z.string(), z.enum(readinessCodes)),
  corruptStreams: z.array(z.string()),
});

/** Liveness, readiness and Prometheus metrics: unauthenticated, for orchestrators and scrapers. */
export const operationsRoutes =
  ({
    readiness,
    metrics,
  }: {
    readiness: () => Promise<Readiness>;
    metrics: Metrics;
  }): FastifyPluginAsyncZod =>
  async (app) => {
    app.get(
      '/healthz',
      {
        schema: {
          summary: 'The process is alive',
          response: { 200: z.object({ status: z.literal('ok') }) },
        },
      },
      async () => ({ status: 'ok' as const }),
    );

    app.get(
      '/readyz',
      {
        schema: {
          summary: 'The stores and subscriptions are up',
          response: { 200: readinessSchema, 503: readinessSchema },
        },
      },
      async (_request, reply) => {
        const state = await readiness();
        return reply.code(state.ready ? 200 : 503).send(state);
      },
    );

    app.get(
      '/metrics',
      { schema: { summary: 'Prometheus metrics', hide: true } },
      async (_request, reply) =>
        reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()),
    );
  };
