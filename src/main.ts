import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import {
  createRefundCommandHandler,
  type RefundCommandHandler,
} from './application/handleRefundCommand.js';
import { systemClock, type Clock } from './application/ports/clock.js';
import type { DocumentStore } from './application/ports/documentStore.js';
import type { EventStore } from './application/ports/eventStore.js';
import type { Config } from './infrastructure/config/config.js';
import { buildHttpApp } from './infrastructure/http/buildHttpApp.js';
import type { Readiness } from './infrastructure/http/operationsRoutes.js';
import { createRefundApi } from './infrastructure/http/refundApi.js';
import { createMetrics, observeProjections } from './infrastructure/observability/metrics.js';
import { openStores } from './infrastructure/openStores.js';
import { monitorStoreHealth } from './infrastructure/storeHealthMonitor.js';
import { idempotencyGuardProjection } from './projections/idempotencyGuard.js';
import { orderLedgerProjection } from './projections/orderLedger.js';
import { createRecentWrites, notingWrites } from './projections/recentWrites.js';
import { createRefundReadModel, type RefundReadModel } from './projections/refundReadModel.js';
import { refundViewProjection } from './projections/refundViewProjection.js';
import { launchProjection, type ProjectionStatus } from './projections/startProjection.js';

export type Service = {
  app: FastifyInstance;
  events: EventStore;
  documents: DocumentStore;
  readModel: RefundReadModel;
  /** The command handler the service uses (tests put refunds into states through it). */
  handle: RefundCommandHandler;
  projectionStatuses: () => Promise<ProjectionStatus[]>;
  /** Stops taking requests, finishes those in flight and the background work, closes the stores. */
  close(): Promise<void>;
};

export type ListeningService = Service & {
  /** Where the service listens, e.g. http://127.0.0.1:3000. */
  url: string;
};

/**
 * The composition root: builds the adapters from the configuration and wires them. Nothing in it
 * waits for a store: a store that is down at start leaves the service listening and not ready
 * (one log line says which store), and everything catches up once the store answers.
 */
export const buildService = async (
  config: Config,
  {
    logger,
    clock = systemClock,
    healthIntervalMs = 2000,
  }: { logger: Logger; clock?: Clock; healthIntervalMs?: number },
): Promise<Service> => {
  const { events, documents, targets } = openStores(config, { log: logger, clock });
  const health = monitorStoreHealth({
    stores: [
      {
        name: 'eventStore',
        label: 'event store',
        target: targets.eventStore,
        health: () => events.health(),
      },
      {
        name: 'readStore',
        label: 'read store',
        target: targets.readStore,
        health: () => documents.health(),
      },
    ],
    log: logger,
    intervalMs: healthIntervalMs,
  });
  const projectionDeps = { events, documents, log: logger, clock };
  const views = launchProjection(refundViewProjection, projectionDeps);
  const ledgers = launchProjection(orderLedgerProjection, projectionDeps);
  const guard = launchProjection(idempotencyGuardProjection, projectionDeps);
  const projections = [views, ledgers, guard];
  const projectionStatuses = () => Promise.all(projections.map((p) => p.status()));

  const recentWrites = createRecentWrites();
  const handle = notingWrites(createRefundCommandHandler({ events }), recentWrites);
  const readModel = createRefundReadModel({
    events,
    views: views.collection,
    ledgers: ledgers.collection,
    guardEntries: guard.collection,
    recentWrites,
  });
  const metrics = createMetrics();
  observeProjections(metrics, projectionStatuses);

  const readiness = async (): Promise<Readiness> => {
    const checks: Record<string, string> = {};
    for (const [name, store] of health.current()) checks[name] = store.ok ? 'ok' : store.reason;
    for (const status of await projectionStatuses()) {
      checks[`projection:${status.name}`] = status.lastError
        ? `failing: ${status.lastError}`
        : status.caughtUp
          ? 'ok'
          : 'catching up';
    }
    return { ready: Object.values(checks).every((check) => check === 'ok'), checks };
  };

  const app = await buildHttpApp({
    logger,
    apiTokens: config.apiTokens,
    refunds: createRefundApi({ events, clock, handle, readModel }),
    metrics,
    readiness,
  });

  return {
    app,
    events,
    documents,
    readModel,
    handle,
    projectionStatuses,
    close: async () => {
      await app.close();
      await health.stop();
      for (const projection of projections) await projection.stop();
      await documents.close();
      await events.close();
    },
  };
};

/** Builds the service and listens on HOST:PORT. */
export const startService = async (
  config: Config,
  options: { logger: Logger; clock?: Clock; healthIntervalMs?: number },
): Promise<ListeningService> => {
  const service = await buildService(config, options);
  try {
    await service.app.listen({ host: config.host, port: config.port });
  } catch (error) {
    await service.close();
    throw error;
  }
  const address = service.app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `http://${host}:${port}`;
  options.logger.info({ url, dataDir: config.dataDir }, 'refund service listening');
  return { ...service, url };
};
