import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import {
  createRefundCommandHandler,
  type RefundCommandHandler,
} from '../../src/application/handleRefundCommand.js';
import { systemClock } from '../../src/application/ports/clock.js';
import type { EventStore } from '../../src/application/ports/eventStore.js';
import { buildHttpApp } from '../../src/infrastructure/http/buildHttpApp.js';
import { createRefundApi } from '../../src/infrastructure/http/refundApi.js';
import { createMetrics } from '../../src/infrastructure/observability/metrics.js';
import { createSqliteEventStore } from '../../src/infrastructure/sqlite/sqliteEventStore.js';
import { makeTempDir } from './tempDir.js';

export type TestApp = {
  app: FastifyInstance;
  events: EventStore;
  /** The same command handler the service uses, to put refunds into states the API cannot. */
  handle: RefundCommandHandler;
  close: () => Promise<void>;
};

/** The HTTP app on a real SQLite store in a temp dir. */
export const createTestApp = async ({
  apiTokens = [],
}: { apiTokens?: string[] } = {}): Promise<TestApp> => {
  const temp = makeTempDir();
  const events = createSqliteEventStore({ file: path.join(temp.dir, 'events.db') });
  const app = await buildHttpApp({
    logger: pino({ level: 'silent' }),
    apiTokens,
    refunds: createRefundApi({ events, clock: systemClock }),
    metrics: createMetrics(),
    readiness: () => Promise.resolve({ ready: true, checks: { eventStore: 'ok' } }),
  });
  await app.ready();
  return {
    app,
    events,
    handle: createRefundCommandHandler({ events }),
    close: async () => {
      await app.close();
      await events.close();
      temp.remove();
    },
  };
};
