import { gatewayReactor } from '../application/gatewayReactor.js';
import { loadRefund } from '../application/loadRefund.js';
import { notEnoughPolicy } from '../application/notEnoughPolicy.js';
import { orderPacing } from '../application/orderPacing.js';
import type { Clock } from '../application/ports/clock.js';
import type { DocumentStore } from '../application/ports/documentStore.js';
import type { EventStore } from '../application/ports/eventStore.js';
import type { Log } from '../application/ports/log.js';
import { createReconciler } from '../application/reconciler.js';
import { documentSendAttempts } from '../application/sendAttempts.js';
import { createSendBacklog } from '../application/sendBacklog.js';
import { sendNotes } from '../application/sendNotes.js';
import { sendRefund } from '../application/sendRefund.js';
import type { Config } from '../infrastructure/config/config.js';
import { instrumentedGateway } from '../infrastructure/observability/instrumentedGateway.js';
import {
  countReconcilerRun,
  observeGatewayBacklog,
  observeGatewayWaits,
  observeSendBacklog,
} from '../infrastructure/observability/gatewayMetrics.js';
import type { Metrics } from '../infrastructure/observability/metrics.js';
import type { RunReactor } from '../infrastructure/stores/reactorRunner.js';
import { withFailureCeiling } from '../infrastructure/wechat/failureCeiling.js';
import type { WechatSetup } from '../infrastructure/wechat/wechatSetup.js';
import type { RefundHandling } from './refundHandling.js';
import { stopInReverse, type Stoppable } from './stopInReverse.js';

/** How often the refunds waiting to be sent are counted (a read of every REQUESTED view). */
const sendBacklogIntervalMs = 15_000;

/**
 * The work that calls WeChat Pay: its client (notify_url: publicBaseUrl + the notify path), the
 * gateway reactor that sends requested refunds, the NOTENOUGH retries, the reconciler and the
 * count of the send backlog. stop stops them in reverse order of start, the client last.
 */
export const startGatewayWork = ({
  publicBaseUrl,
  wechat,
  config,
  events,
  documents,
  refunds: { handle, readModel },
  metrics,
  runReactor,
  clock,
  log,
  random,
}: {
  publicBaseUrl: string;
  wechat: WechatSetup;
  config: Config;
  events: EventStore;
  documents: DocumentStore;
  refunds: RefundHandling;
  metrics: Metrics;
  runReactor: RunReactor;
  clock: Clock;
  log: Log;
  random: () => number;
}) => {
  // WECHAT_API_VERSION picks the API that sends and queries refunds (DESIGN §4).
  const client =
    wechat.apiVersion === 'v3' && wechat.v3
      ? wechat.v3.createClient(`${publicBaseUrl}/wechat/v3/refund-notify`)
      : wechat.createClient(`${publicBaseUrl}/wechat/refund-notify`);
  const started: Stoppable[] = [{ stop: async () => client.close() }];
  // WeChat's pacing rules (WECHAT.md "Limits"): 6 failing calls a second, refunds of one order
  // a minute apart; WECHAT_MAX_RPS is the client's own limiter.
  const ceiling = withFailureCeiling(client);
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
  observeGatewayBacklog(metrics, reactor.pending);
  observeGatewayWaits(metrics, {
    order_spacing: pacing.waiting,
    error_rate: ceiling.waiting,
  });
  if (config.notEnoughRetryMs.length > 0) {
    const scheduleMs = config.notEnoughRetryMs;
    started.push(runReactor(notEnoughPolicy({ events, handle, clock, log, random, scheduleMs })));
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
  reconciler.start(countReconcilerRun(metrics));
  const backlog = createSendBacklog({
    requested: readModel.findRequested,
    attempts,
    clock,
    log,
    perSecond: config.wechatMaxRps,
    intervalMs: sendBacklogIntervalMs,
  });
  backlog.start();
  observeSendBacklog(metrics, backlog.last);
  started.push(reactor, reconciler, backlog);
  return { client, ...stopInReverse(started) };
};
