import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { systemClock, type Clock } from './application/ports/clock.js';
import type { Config } from './infrastructure/config/config.js';
import { buildHttpApp } from './infrastructure/http/buildHttpApp.js';
import { createRefundApi } from './infrastructure/http/refundApi.js';
import { createMetrics } from './infrastructure/observability/metrics.js';
import { createSqliteEventStore } from './infrastructure/sqlite/sqliteEventStore.js';

export type Service = {
  app: FastifyInstance;
  /** Where the service listens, e.g. http://127.0.0.1:3000. */
  url: string;
  close(): Promise<void>;
};

/** Engines this build cannot run yet stop the start with a clear line instead of a surprise. */
const unsupported = (config: Config): string[] => [
  ...(config.eventStore.kind === 'esdb'
    ? ['EVENT_STORE=esdb is not available in this build yet']
    : []),
  ...(config.readStore.kind === 'mongo'
    ? ['READ_STORE=mongo is not available in this build yet']
    : []),
];

export class StartupError extends Error {
  override readonly name = 'StartupError';
}

/** The composition root: builds the adapters from the configuration, wires them, listens. */
export const startService = async (
  config: Config,
  { logger, clock = systemClock }: { logger: Logger; clock?: Clock },
): Promise<Service> => {
  const problems = unsupported(config);
  if (problems.length > 0) throw new StartupError(problems.join('; '));

  const events = createSqliteEventStore({ file: path.join(config.dataDir, 'events.db'), clock });
  const metrics = createMetrics();
  const app = await buildHttpApp({
    logger,
    apiTokens: config.apiTokens,
    refunds: createRefundApi({ events, clock }),
    metrics,
    readiness: async () => {
      await events.headPosition('refund');
      return { ready: true, checks: { eventStore: 'ok' } };
    },
  });

  try {
    await app.listen({ host: config.host, port: config.port });
  } catch (error) {
    await app.close();
    await events.close();
    throw error;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  logger.info(
    { url: `http://${host}:${port}`, dataDir: config.dataDir },
    'refund service listening',
  );

  return {
    app,
    url: `http://${host}:${port}`,
    close: async () => {
      // Stop taking requests and finish those in flight, then close the stores they use.
      await app.close();
      await events.close();
    },
  };
};
