import type { Clock } from '../application/ports/clock.js';
import type { DocumentStore } from '../application/ports/documentStore.js';
import type { EventStore } from '../application/ports/eventStore.js';
import type { Log } from '../application/ports/log.js';
import { createDeliveryPacer } from '../application/webhooks/deliveryPacer.js';
import {
  startWebhookDispatcher,
  type WebhookDispatcher,
} from '../application/webhooks/webhookDispatcher.js';
import { webhookEndpoints } from '../application/webhooks/webhookEndpoints.js';
import { webhookFanOut } from '../application/webhooks/webhookFanOut.js';
import { openWebhookStore } from '../application/webhooks/webhookStore.js';
import type { Config } from '../infrastructure/config/config.js';
import type { Metrics } from '../infrastructure/observability/metrics.js';
import {
  countWebhookAttempt,
  observeWebhookBacklog,
} from '../infrastructure/observability/webhookMetrics.js';
import type { RunReactor } from '../infrastructure/stores/reactorRunner.js';
import { createThreadedWebhookPoster } from '../infrastructure/webhooks/threadedWebhookPoster.js';
import { createWebhookHttpPoster } from '../infrastructure/webhooks/webhookHttpPost.js';
import { createWebhookHttpSender } from '../infrastructure/webhooks/webhookHttpSender.js';
import {
  createWebhookUrlPolicy,
  type Resolve,
} from '../infrastructure/webhooks/webhookUrlPolicy.js';
import { refundEventObjects } from '../projections/refundEventObjects.js';
import { stopInReverse } from './stopInReverse.js';

/** Test knobs for webhook delivery. */
export type WebhookTuning = {
  /** How long the old secret keeps signing after a rotation (DESIGN: 24 hours). */
  rotationOverlapMs?: number;
  /** How often the dispatcher looks at endpoints and due deliveries without a wake-up. */
  pollIntervalMs?: number;
  /** Name resolution of webhook URLs (a stand-in DNS for the live-mode URL tests). */
  resolve?: Resolve;
};

/**
 * Webhooks (DESIGN §5, WEBHOOKS.md): the endpoints the API registers at once; the delivery —
 * the HTTP sender, the dispatcher and the fan-out reactor that creates deliveries from the log —
 * when the background work starts. A change of endpoints wakes the dispatcher once it runs.
 */
export const composeWebhooks = ({
  config: { webhooks },
  events,
  documents,
  clock,
  tuning,
}: {
  config: Config;
  events: EventStore;
  documents: DocumentStore;
  clock: Clock;
  tuning: WebhookTuning;
}) => {
  const store = openWebhookStore(documents);
  const urlPolicy = createWebhookUrlPolicy({
    allowPrivate: webhooks.allowPrivateUrls,
    ...(tuning.resolve && { resolve: tuning.resolve }),
  });
  let dispatcher: WebhookDispatcher | undefined;
  const endpoints = webhookEndpoints({
    store,
    events,
    clock,
    urlPolicy: urlPolicy.check,
    ...(tuning.rotationOverlapMs !== undefined && {
      rotationOverlapMs: tuning.rotationOverlapMs,
    }),
    onChange: () => dispatcher?.wake(),
  });

  /**
   * Starts delivering, yielding to the API while `apiBusy` (deliveryPacer.ts); stop lets the
   * paced work through, then stops the fan-out, the dispatcher and the sender.
   */
  const startDelivery = ({
    metrics,
    runReactor,
    log,
    random,
    apiBusy,
  }: {
    metrics: Metrics;
    runReactor: RunReactor;
    log: Log;
    random: () => number;
    apiBusy: () => boolean;
  }) => {
    const pacer = createDeliveryPacer({ busy: apiBusy });
    // The requests go from a worker thread; a stand-in resolver (tests) only answers in this one.
    const poster = tuning.resolve
      ? createWebhookHttpPoster({ lookup: urlPolicy.lookup, timeoutMs: webhooks.timeoutMs })
      : createThreadedWebhookPoster({
          allowPrivate: webhooks.allowPrivateUrls,
          timeoutMs: webhooks.timeoutMs,
          log,
        });
    const sender = createWebhookHttpSender({ policy: urlPolicy.check, poster, clock });
    const started = startWebhookDispatcher({
      store,
      send: sender.send,
      clock,
      log,
      random,
      scheduleMs: webhooks.retryScheduleMs,
      timeoutMs: webhooks.timeoutMs,
      ...(tuning.pollIntervalMs !== undefined && { pollIntervalMs: tuning.pollIntervalMs }),
      pace: pacer.pace,
      onAttempt: countWebhookAttempt(metrics),
    });
    dispatcher = started;
    const fanOutReactor = webhookFanOut({
      store,
      // The fan-out follows the head of the log: a refund's next event is folded onto the
      // view its last one left, rather than its stream read again.
      eventObjects: refundEventObjects(events, { cachedStreams: 4096 }),
      clock,
      pace: pacer.pace,
      admit: started.admit,
    });
    // An event not fanned out yet is owed to every endpoint.
    observeWebhookBacklog(metrics, () => started.oldestPending(fanOutReactor.oldestOwed()));
    const fanOut = runReactor(fanOutReactor);
    return stopInReverse([
      { stop: async () => sender.close() },
      started,
      fanOut,
      { stop: async () => pacer.stop() },
    ]);
  };
  return { endpoints, startDelivery };
};
