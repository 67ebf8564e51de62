import type { Logger } from 'pino';
import type { BillReconciliation } from '../application/bills/reconcileBills.js';
import { handleRefundNotification } from '../application/handleRefundNotification.js';
import type { Clock } from '../application/ports/clock.js';
import type { WebhookEndpoints } from '../application/webhooks/webhookEndpoints.js';
import type { Config } from '../infrastructure/config/config.js';
import { buildHttpApp } from '../infrastructure/http/buildHttpApp.js';
import { eventFeedRoute } from '../infrastructure/http/eventFeedRoute.js';
import { reconciliationRoutes } from '../infrastructure/http/reconciliationRoutes.js';
import { refundNotifyRoute } from '../infrastructure/http/refundNotifyRoute.js';
import { webhookRoutes } from '../infrastructure/http/webhookRoutes.js';
import type { Metrics } from '../infrastructure/observability/metrics.js';
import type { Readiness } from '../infrastructure/observability/readiness.js';
import { createRefundNotificationDecoder } from '../infrastructure/wechat/refundNotificationDecoder.js';
import type { WechatSetup } from '../infrastructure/wechat/wechatSetup.js';
import type { EventFeed } from '../projections/eventFeed.js';
import type { RefundHandling } from './refundHandling.js';

/**
 * The service's HTTP app: the refunds API and, behind the same tokens, the event feed, the
 * webhook endpoints and the reconciliations; outside /v1, WeChat's refund notifications (v2, and
 * v3 when configured), decoded with the merchant's keys and recorded through the command handler.
 */
export const buildServiceHttpApp = ({
  config,
  log,
  clock,
  wechat,
  metrics,
  readiness,
  refunds: { handle, readModel, refunds },
  feed,
  endpoints,
  bills,
  onAnswered,
}: {
  config: Config;
  log: Logger;
  clock: Clock;
  wechat: WechatSetup;
  metrics: Metrics;
  readiness: () => Promise<Readiness>;
  refunds: RefundHandling;
  feed: EventFeed;
  endpoints: WebhookEndpoints;
  bills: BillReconciliation;
  onAnswered: (elapsedMs: number) => void;
}) =>
  buildHttpApp({
    logger: log,
    apiTokens: config.apiTokens,
    refunds,
    metrics,
    readiness,
    onAnswered,
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
