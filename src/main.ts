import { cachedCategoryReads } from './application/cachedCategoryReads.js';
import { countingEvents, notingWrites, withMiddleware } from './application/commandMiddleware.js';
import { gatewayReactor } from './application/gatewayReactor.js';
import { createRefundCommandHandler } from './application/handleRefundCommand.js';
import { handleRefundNotification } from './application/handleRefundNotification.js';
import { loadRefund } from './application/loadRefund.js';
import { createStreamStateCache } from './application/streamStateCache.js';
import { notEnoughPolicy } from './application/notEnoughPolicy.js';
import { orderPacing } from './application/orderPacing.js';
import { orderSequence } from './application/orderSequence.js';
import { systemClock } from './application/ports/clock.js';
import { createReconciler } from './application/reconciler.js';
import { documentSendAttempts } from './application/sendAttempts.js';
import { sendNotes } from './application/sendNotes.js';
import { createSendBacklog } from './application/sendBacklog.js';
import { refundCategory } from './application/refundEventCodec.js';
import { sendRefund } from './application/sendRefund.js';
import type { Config } from './infrastructure/config/config.js';
import { buildHttpApp } from './infrastructure/http/buildHttpApp.js';
import { createRefundApi } from './infrastructure/http/refundApi.js';
import { refundNotifyRoute } from './infrastructure/http/refundNotifyRoute.js';
import { instrumentedGateway } from './infrastructure/observability/instrumentedGateway.js';
import * as metric from './infrastructure/observability/metrics.js';
import { watchReadiness } from './infrastructure/observability/readiness.js';
import { openStores } from './infrastructure/stores/openStores.js';
import { reactorRunner } from './infrastructure/stores/reactorRunner.js';
import { withFailureCeiling } from './infrastructure/wechat/failureCeiling.js';
import { createRefundNotificationDecoder } from './infrastructure/wechat/refundNotificationDecoder.js';
import { setUpLiveWechat } from './infrastructure/wechat/wechatSetup.js';
import { corruptEvents } from './projections/corruptEvents.js';
import { launchProjections } from './projections/projectionRegistry.js';
import { createRecentWrites } from './projections/recentWrites.js';
import { createRefundReadModel } from './projections/refundReadModel.js';
import { setUpSandboxWechat } from './sandbox/sandboxWechatSetup.js';
import type { Service, ServiceOptions } from './service.js';
import { createAppendSignal } from './application/appendSignal.js';
import { BillUnavailable } from './application/bills/billErrors.js';
import { startDailyBillRun } from './application/bills/dailyBillRun.js';
import { createBillReconciliation } from './application/bills/reconcileBills.js';
import { openReconciliations } from './application/bills/reconciliationStore.js';
import { reconciliationRoutes } from './infrastructure/http/reconciliationRoutes.js';
import type { WechatPayClient } from './infrastructure/wechat/wechatPayClient.js';
import { billLogOf } from './projections/billLog.js';
import { untilCaughtUp } from './projections/untilCaughtUp.js';
import {
  startWebhookDispatcher,
  type WebhookDispatcher,
} from './application/webhooks/webhookDispatcher.js';
import { webhookEndpoints } from './application/webhooks/webhookEndpoints.js';
import { webhookFanOut } from './application/webhooks/webhookFanOut.js';
import { openWebhookStore } from './application/webhooks/webhookStore.js';
import { eventFeedRoute } from './infrastructure/http/eventFeedRoute.js';
import { webhookRoutes } from './infrastructure/http/webhookRoutes.js';
import { createWebhookHttpSender } from './infrastructure/webhooks/webhookHttpSender.js';
import { createWebhookUrlPolicy } from './infrastructure/webhooks/webhookUrlPolicy.js';
import { createEventFeed } from './projections/eventFeed.js';
import { refundEventObjects } from './projections/refundEventObjects.js';

/**
 * The composition root: builds the adapters from the configuration and wires them. Nothing in it
 * waits for a store: a store that is down at start leaves the service listening and not ready
 * (one log line says which store), and everything catches up once the store answers.
 */
/** How often the refunds waiting to be sent are counted (a read of every REQUESTED view). */
const sendBacklogIntervalMs = 15_000;

export const buildService = async (
  config: Config,
  {
    logger: log,
    clock = systemClock,
    random = Math.random,
    healthIntervalMs = 2000,
    sandbox,
    webhooks: webhookTuning = {},
    billRun: billRunTuning = {},
  }: ServiceOptions,
): Promise<Service> => {
  const wechat =
    config.wechat.mode === 'live'
      ? setUpLiveWechat(config, config.wechat, { logger: log, clock })
      : await setUpSandboxWechat(config, { logger: log, clock, ...(sandbox && { sandbox }) });
  const stores = openStores(config, { log, clock });
  const { events, documents } = stores;
  // The projections and the reactors follow the log near its head: one read serves them all.
  const followed = cachedCategoryReads(events, refundCategory);
  const projections = launchProjections({ events: followed, documents, log, clock });
  const runReactor = reactorRunner(stores, { follow: followed, log, random });
  const unreadable = corruptEvents(documents);
  const { readiness, ...health } = watchReadiness({
    stores,
    projections: projections.statuses,
    corruptEvents: unreadable.list,
    log,
    intervalMs: healthIntervalMs,
  });
  const metrics = metric.createMetrics();
  metric.observeProjections(metrics, projections.statuses);
  metric.observeCorruptEvents(metrics, unreadable.list);

  const recentWrites = createRecentWrites();
  const handle = withMiddleware(
    createRefundCommandHandler({ events, cache: createStreamStateCache() }),
    countingEvents((event) => metric.countEvent(metrics, event)),
    notingWrites(recentWrites),
  );
  const readModel = createRefundReadModel({ events, projections, recentWrites });
  const refunds = createRefundApi({
    events,
    clock,
    handle,
    readModel,
    sequence: orderSequence({ projected: projections.orderLedger.reached, log }),
    defaults: {
      ...(config.refundAccount !== undefined && { refundAccount: config.refundAccount }),
    },
  });

  // WeChat's refund bill against the log (DESIGN §5, BILLS.md). The WeChat client that downloads
  // bills and queries refunds is the one startBackground makes (it needs the notify_url).
  let client: WechatPayClient | undefined;
  const reconciliations = openReconciliations(documents);
  const bills = createBillReconciliation({
    log: billLogOf({ events, collection: projections.billExpectation.collection }),
    handle,
    reconciliations,
    clock,
    caughtUp: () => untilCaughtUp(projections.billExpectation.status),
    queryRefund: (outRefundNo) =>
      client
        ? client.queryRefund(outRefundNo)
        : Promise.resolve({ kind: 'retryable', code: 'NOT_STARTED', message: 'not started' }),
    fetchBill: (date) => {
      if (!client) throw new BillUnavailable('the service has not started its WeChat Pay client');
      return client.downloadBill(date);
    },
  });
  metric.observeBillReconciliation(metrics, reconciliations.latest);

  // Webhooks and the event feed (DESIGN §5, WEBHOOKS.md).
  const webhookStore = openWebhookStore(documents);
  const urlPolicy = createWebhookUrlPolicy({
    allowPrivate: config.webhooks.allowPrivateUrls,
    ...(webhookTuning.resolve && { resolve: webhookTuning.resolve }),
  });
  let dispatcher: WebhookDispatcher | undefined;
  const endpoints = webhookEndpoints({
    store: webhookStore,
    events,
    clock,
    urlPolicy: urlPolicy.check,
    ...(webhookTuning.rotationOverlapMs !== undefined && {
      rotationOverlapMs: webhookTuning.rotationOverlapMs,
    }),
    onChange: () => dispatcher?.wake(),
  });
  const appended = createAppendSignal(events);
  const feed = createEventFeed({ events: followed, signal: appended, clock });

  const app = await buildHttpApp({
    logger: log,
    apiTokens: config.apiTokens,
    refunds,
    metrics,
    readiness,
    v1Plugins: [
      eventFeedRoute({ feed }),
      webhookRoutes({ endpoints }),
      reconciliationRoutes({ bills }),
    ],
    plugins: [
      refundNotifyRoute({
        decode: createRefundNotificationDecoder({
          ...wechat.merchant,
          onPreviousKey: () => metrics.notificationsWithPreviousKey.inc(),
        }),
        ...(wechat.v3 !== undefined && { decodeV3: wechat.v3.decode }),
        handle: handleRefundNotification({ handle, guard: readModel.guard, clock }),
        onResult: (result) => metrics.notifications.inc({ result }),
      }),
    ],
  });

  /** Stopped in reverse order of start: the reactor and the reconciler before the client. */
  const background: { stop: () => Promise<void> }[] = [];
  const startBackground = async (publicBaseUrl: string): Promise<void> => {
    // WECHAT_API_VERSION picks the API that sends and queries refunds (DESIGN §4).
    const started =
      wechat.apiVersion === 'v3' && wechat.v3
        ? wechat.v3.createClient(`${publicBaseUrl}/wechat/v3/refund-notify`)
        : wechat.createClient(`${publicBaseUrl}/wechat/refund-notify`);
    client = started;
    background.push({ stop: async () => started.close() });
    // WeChat's pacing rules (WECHAT.md "Limits"): 6 failing calls a second, refunds of one order
    // a minute apart; WECHAT_MAX_RPS is the client's own limiter.
    const ceiling = withFailureCeiling(started);
    const gateway = instrumentedGateway(ceiling, metrics);
    const pacing = orderPacing({
      spacingMs: config.orderRefundSpacingSeconds * 1000,
      clock,
      lastSent: readModel.lastSend,
    });
    const attempts = documentSendAttempts(documents, clock);
    const notes = sendNotes(attempts, log);
    const load = loadRefund(events);
    const send = sendRefund({ gateway, handle, load, clock, log, pacing, notes });
    const retryBaseMs = config.gatewayRetryBaseMs;
    const { longestWaitMs } = pacing;
    const reactor = runReactor(gatewayReactor({ send, log, random, retryBaseMs, longestWaitMs }));
    metric.observeGatewayBacklog(metrics, reactor.pending);
    metric.observeGatewayWaits(metrics, {
      order_spacing: pacing.waiting,
      error_rate: ceiling.waiting,
    });
    if (config.notEnoughRetryMs.length > 0) {
      const scheduleMs = config.notEnoughRetryMs;
      background.push(
        runReactor(notEnoughPolicy({ events, handle, clock, log, random, scheduleMs })),
      );
    }
    const reconciler = createReconciler({
      findAcceptedBefore: readModel.findAcceptedBefore,
      attempts,
      getRefund: readModel.getRefund,
      gateway,
      handle,
      handOff: notes.handOff(send),
      clock,
      log,
      random,
      afterMs: config.reconcileAfterSeconds * 1000,
      intervalMs: config.reconcileIntervalSeconds * 1000,
    });
    reconciler.start(metric.countReconcilerRun(metrics));
    const backlog = createSendBacklog({
      requested: readModel.findRequested,
      attempts,
      clock,
      log,
      perSecond: config.wechatMaxRps,
      intervalMs: sendBacklogIntervalMs,
    });
    backlog.start();
    metric.observeSendBacklog(metrics, backlog.last);
    background.push(reactor, reconciler, backlog);

    const sender = createWebhookHttpSender({
      policy: urlPolicy.check,
      lookup: urlPolicy.lookup,
      timeoutMs: config.webhooks.timeoutMs,
      clock,
    });
    dispatcher = startWebhookDispatcher({
      store: webhookStore,
      send: sender.send,
      clock,
      log,
      random,
      scheduleMs: config.webhooks.retryScheduleMs,
      timeoutMs: config.webhooks.timeoutMs,
      ...(webhookTuning.pollIntervalMs !== undefined && {
        pollIntervalMs: webhookTuning.pollIntervalMs,
      }),
      onAttempt: metric.countWebhookAttempt(metrics),
    });
    metric.observeWebhookBacklog(metrics, dispatcher.oldestPending);
    const fanOut = runReactor(
      webhookFanOut({
        store: webhookStore,
        eventObjects: refundEventObjects(events),
        clock,
        onCreated: dispatcher.wake,
      }),
    );
    background.push({ stop: async () => sender.close() }, dispatcher, fanOut);

    if (config.billReconcileMinutes !== undefined) {
      background.push(
        startDailyBillRun({
          documents,
          reconcile: bills.run,
          clock,
          log,
          minutesIntoDay: config.billReconcileMinutes,
          ...billRunTuning,
        }),
      );
    }
  };

  const close = async (): Promise<void> => {
    // Requests first (those in flight finish; long polls end now), then the background work,
    // then what they all use.
    appended.stop();
    await app.close();
    for (const part of background.reverse()) await part.stop();
    await health.stop();
    await projections.stop();
    await wechat.close();
    await documents.close();
    await events.close();
  };
  const projectionStatuses = projections.statuses;
  return { app, wechat, startBackground, events, readModel, handle, projectionStatuses, close };
};
