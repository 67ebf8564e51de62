import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Metrics } from '../observability/metrics.js';

/**
 * The state of one component, as a stable code; what went wrong in detail is in the log, never
 * in the answer (it may name hosts, drivers' messages, or the content of an event).
 */
export const readinessCodes = ['ok', 'unreachable', 'catching_up', 'failing'] as const;
export type ReadinessCode = (typeof readinessCodes)[number];

export type Readiness = {
  ready: boolean;
  /** By component: eventStore, readStore, projection:<name>. */
  checks: Record<string, ReadinessCode>;
  /**
   * Streams holding an event the service cannot read. Each affects only its own refund, so the
   * instance stays ready; the log says what is wrong with the event.
   */
  corruptStreams: string[];
};

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
