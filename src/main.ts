import { createAppendSignal } from './application/appendSignal.js';
import { cachedCategoryReads } from './application/cachedCategoryReads.js';
import { systemClock } from './application/ports/clock.js';
import { refundCategory } from './application/refundEventCodec.js';
import { composeBillReconciliation } from './composition/billReconciliation.js';
import { startGatewayWork } from './composition/gatewayWork.js';
import { composeRefundHandling } from './composition/refundHandling.js';
import { observeService } from './composition/serviceObservability.js';
import { buildServiceHttpApp } from './composition/serviceHttpApp.js';
import { stopInReverse, type Stoppable } from './composition/stopInReverse.js';
import { setUpWechat } from './composition/wechat.js';
import { composeWebhooks } from './composition/webhooks.js';
import type { Config } from './infrastructure/config/config.js';
import { watchApiLoad } from './infrastructure/observability/apiLoad.js';
import { openStores } from './infrastructure/stores/openStores.js';
import { reactorRunner } from './infrastructure/stores/reactorRunner.js';
import type { WechatPayClient } from './infrastructure/wechat/wechatPayClient.js';
import { createEventFeed } from './projections/eventFeed.js';
import { launchProjections } from './projections/projectionRegistry.js';
import type { Service, ServiceOptions } from './service.js';

/**
 * The composition root: builds the adapters from the configuration and wires them (each group in
 * its module under composition/). Nothing in it waits for a store: a store that is down at start
 * leaves the service listening and not ready (one log line says which store), and everything
 * catches up once the store answers.
 */
export const buildService = async (
  config: Config,
  {
    logger: log,
    clock = systemClock,
    random = Math.random,
    healthIntervalMs: intervalMs = 2000,
    sandbox,
    webhooks: webhookTuning = {},
    billRun: billRunTuning = {},
  }: ServiceOptions,
): Promise<Service> => {
  const wechat = await setUpWechat(config, { log, clock, sandbox });
  const stores = openStores(config, { log, clock });
  const { events, documents } = stores;
  // The projections and the reactors follow the log near its head: one read serves them all.
  const followed = cachedCategoryReads(events, refundCategory);
  const projections = launchProjections({ events: followed, documents, log, clock });
  const runReactor = reactorRunner(stores, { follow: followed, log, random });
  const observed = observeService({ stores, projections, log, intervalMs });
  const { readiness, metrics } = observed;

  const refunds = composeRefundHandling({ config, events, projections, metrics, clock, log });
  const { handle, readModel } = refunds;
  let client: WechatPayClient | undefined;
  const { bills, startDailyRun } = composeBillReconciliation({
    events,
    documents,
    projections,
    handle,
    metrics,
    clock,
    log,
    client: () => client,
    tuning: billRunTuning,
  });
  const webhooks = composeWebhooks({ config, events, documents, clock, tuning: webhookTuning });
  // The event feed (DESIGN §5): long polls wake on this process's appends.
  const appended = createAppendSignal(events);
  const feed = createEventFeed({ events: followed, signal: appended, clock });
  // Background work that yields to the requests (webhook delivery) asks this whether to.
  const apiLoad = watchApiLoad();
  const app = await buildServiceHttpApp({
    config,
    log,
    clock,
    wechat,
    metrics,
    readiness,
    refunds,
    feed,
    endpoints: webhooks.endpoints,
    bills,
    onAnswered: apiLoad.answered,
  });

  /** Stopped in reverse order of start: the reactor and the reconciler before the client. */
  const background: Stoppable[] = [];
  const startBackground = async (publicBaseUrl: string): Promise<void> => {
    const gatewayWork = startGatewayWork({
      publicBaseUrl,
      wechat,
      config,
      events,
      documents,
      refunds,
      metrics,
      runReactor,
      clock,
      log,
      random,
    });
    client = gatewayWork.client;
    background.push(gatewayWork);
    background.push(
      webhooks.startDelivery({ metrics, runReactor, log, random, apiBusy: apiLoad.busy }),
    );
    if (config.billReconcileMinutes !== undefined) {
      background.push(startDailyRun(config.billReconcileMinutes));
    }
  };

  const close = async (): Promise<void> => {
    // Requests first (those in flight finish; long polls end now), then the background work,
    // then what they all use.
    appended.stop();
    await app.close();
    await stopInReverse(background).stop();
    apiLoad.stop();
    await observed.stop();
    await projections.stop();
    await wechat.close();
    await documents.close();
    await events.close();
  };
  const projectionStatuses = projections.statuses;
  return { app, wechat, startBackground, events, readModel, handle, projectionStatuses, close };
};
