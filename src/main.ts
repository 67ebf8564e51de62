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
import { instrumentedGateway } from './infrastructure/observability/instrumentedGateway.js';
import {
  createMetrics,
  observeGatewayBacklog,
  observeProjections,
  type Metrics,
} from './infrastructure/observability/metrics.js';
import { refundNotifyRoute } from './infrastructure/http/refundNotifyRoute.js';
import { createRefundNotificationDecoder } from './infrastructure/wechat/refundNotificationDecoder.js';
import { setUpLiveWechat, type WechatSetup } from './infrastructure/wechat/wechatSetup.js';
import { setUpSandboxWechat, type SandboxTuning } from './sandbox/sandboxWechatSetup.js';
import type { WechatSandbox } from './sandbox/wechatSandbox.js';
import { handleRefundNotification } from './application/handleRefundNotification.js';
import { cachedCategoryReads } from './application/cachedCategoryReads.js';
import { loadRefund } from './application/loadRefund.js';
import { refundCategory } from './application/refundEventCodec.js';
import { createReconciler } from './application/reconciler.js';
import { sendRefund } from './application/sendRefund.js';
import { openStores } from './infrastructure/stores/openStores.js';
import { monitorStoreHealth } from './infrastructure/stores/storeHealthMonitor.js';
import { idempotencyGuardProjection } from './projections/idempotencyGuard.js';
import { orderLedgerProjection } from './projections/orderLedger.js';
import { createRecentWrites, notingWrites } from './projections/recentWrites.js';
import { createRefundReadModel, type RefundReadModel } from './projections/refundReadModel.js';
import { refundViewProjection } from './projections/refundViewProjection.js';
import { launchProjection, type ProjectionStatus } from './projections/startProjection.js';

export type Service = {
  app: FastifyInstance;
  /** WeChat Pay: the merchant identity, and the in-process simulator in sandbox mode. */
  wechat: WechatSetup & { sandbox?: WechatSandbox };
  /**
   * Starts the background work that calls WeChat (the gateway reactor and the reconciler), with
   * notify_url = publicBaseUrl + /wechat/refund-notify (v3: /wechat/v3/refund-notify).
   * startService calls it once listening.
   */
  startBackground(publicBaseUrl: string): Promise<void>;
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
export type ServiceOptions = {
  logger: Logger;
  clock?: Clock;
  random?: () => number;
  healthIntervalMs?: number;
  /** Test knobs for the in-process WeChat Pay simulator (sandbox mode). */
  sandbox?: SandboxTuning;
};

export const buildService = async (
  config: Config,
  {
    logger,
    clock = systemClock,
    random = Math.random,
    healthIntervalMs = 2000,
    sandbox: sandboxTuning,
  }: ServiceOptions,
): Promise<Service> => {
  const wechat =
    config.wechat.mode === 'live'
      ? setUpLiveWechat(config, config.wechat, { logger, clock })
      : await setUpSandboxWechat(config, {
          logger,
          clock,
          ...(sandboxTuning !== undefined && { sandbox: sandboxTuning }),
        });
  const stores = openStores(config, { log: logger, clock });
  const { events, documents, targets } = stores;
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
  // The projections and the gateway follow the log near its head: one read serves them all.
  const followed = cachedCategoryReads(events, refundCategory);
  const projectionDeps = { events: followed, documents, log: logger, clock };
  const views = launchProjection(refundViewProjection, projectionDeps);
  const ledgers = launchProjection(orderLedgerProjection, projectionDeps);
  const guard = launchProjection(idempotencyGuardProjection, projectionDeps);
  const projections = [views, ledgers, guard];
  const projectionStatuses = () => Promise.all(projections.map((p) => p.status()));

  const metrics = createMetrics();
  const recentWrites = createRecentWrites();
  const handle = counted(
    notingWrites(createRefundCommandHandler({ events }), recentWrites),
    metrics,
  );
  const readModel = createRefundReadModel({
    events,
    views: views.collection,
    ledgers: ledgers.collection,
    guardEntries: guard.collection,
    recentWrites,
  });
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
    plugins: [
      refundNotifyRoute({
        decode: createRefundNotificationDecoder(wechat.merchant),
        ...(wechat.v3 !== undefined && { decodeV3: wechat.v3.decode }),
        handle: handleRefundNotification({ handle, guard: readModel.guard, clock }),
        onResult: (result) => metrics.notifications.inc({ result }),
      }),
    ],
  });

  const background: { stop: () => Promise<void> }[] = [];
  const startBackground = async (publicBaseUrl: string): Promise<void> => {
    // WECHAT_API_VERSION picks the API that sends and queries refunds (DESIGN §4).
    const client =
      wechat.apiVersion === 'v3' && wechat.v3
        ? wechat.v3.createClient(`${publicBaseUrl}/wechat/v3/refund-notify`)
        : wechat.createClient(`${publicBaseUrl}/wechat/refund-notify`);
    background.push({ stop: async () => client.close() });
    const gateway = instrumentedGateway(client, metrics);
    const send = sendRefund({ gateway, handle, load: loadRefund(events), clock, log: logger });
    const reactor = await stores.startGatewayReactor({
      follow: followed,
      send,
      log: logger,
      random,
      retryBaseMs: config.gatewayRetryBaseMs,
    });
    observeGatewayBacklog(metrics, reactor.pending);
    const reconciler = createReconciler({
      findStale: readModel.findStale,
      gateway,
      handle,
      send,
      clock,
      log: logger,
      random,
      afterMs: config.reconcileAfterSeconds * 1000,
      intervalMs: config.reconcileIntervalSeconds * 1000,
    });
    reconciler.start((run) => {
      metrics.reconcilerRuns.inc();
      for (const result of ['settled', 'resent', 'unchanged', 'failed'] as const) {
        metrics.reconciledRefunds.inc({ result }, run[result]);
      }
    });
    // Stopped before the client they call, in reverse order of start.
    background.push(reactor, { stop: () => reconciler.stop() });
  };

  return {
    app,
    wechat,
    startBackground,
    events,
    documents,
    readModel,
    handle,
    projectionStatuses,
    close: async () => {
      // Stop taking requests and finish those in flight, then the background work, then the
      // stores they all use.
      await app.close();
      for (const part of background.reverse()) await part.stop();
      await health.stop();
      for (const projection of projections) await projection.stop();
      await wechat.close();
      await documents.close();
      await events.close();
    },
  };
};

/** Counts the events each command appends, by type. */
const counted =
  (handle: RefundCommandHandler, metrics: Metrics): RefundCommandHandler =>
  async (command, context, precondition) => {
    const result = await handle(command, context, precondition);
    for (const event of result.appended) metrics.refundEvents.inc({ type: event.type });
    return result;
  };

/** Builds the service and listens on HOST:PORT. */
export const startService = async (
  config: Config,
  options: ServiceOptions,
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
  try {
    await service.startBackground(config.publicBaseUrl ?? url);
  } catch (error) {
    await service.close();
    throw error;
  }
  options.logger.info(
    {
      url,
      dataDir: config.dataDir,
      wechat: config.wechat.mode,
      wechatApi: service.wechat.apiVersion,
      wechatBaseUrl: service.wechat.baseUrl,
    },
    'refund service listening',
  );
  return { ...service, url };
};
