import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { AttemptOutcome } from '../../application/webhooks/deliveryAfterAttempt.js';
import type { WebhookAttemptResult } from '../../application/webhooks/webhookPorts.js';
import type { ReconcileRun } from '../../application/reconciler.js';
import type { SendBacklog } from '../../application/sendBacklog.js';
import { discrepancyKinds, type Reconciliation } from '../../application/bills/reconciliation.js';
import type { RefundEvent } from '../../domain/index.js';

/** Every metric of the service, in a registry of its own (no global state between instances). */
export const createMetrics = () => {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const httpRequests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests answered, by route and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time to answer HTTP requests',
    labelNames: ['method', 'route'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const refundEvents = new Counter({
    name: 'refund_events_appended_total',
    help: 'Refund events this instance appended, by type (RefundSucceeded counts refunds settled)',
    labelNames: ['type'] as const,
    registers: [registry],
  });
  const gatewayCalls = new Counter({
    name: 'wechat_calls_total',
    help: 'Calls to WeChat Pay, by operation and outcome',
    labelNames: ['operation', 'outcome'] as const,
    registers: [registry],
  });
  const gatewayDuration = new Histogram({
    name: 'wechat_call_duration_seconds',
    help: 'Time WeChat Pay took to answer, rate-limit wait included',
    labelNames: ['operation'] as const,
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const notifications = new Counter({
    name: 'wechat_notifications_total',
    help: 'Refund notifications received, by result',
    labelNames: ['result'] as const,
    registers: [registry],
  });
  const refundFailures = new Counter({
    name: 'wechat_refund_failures_total',
    help: 'Refund failures this instance recorded, by stage (request: WeChat refused it; settlement: it failed after acceptance) and code (err_code or refund status)',
    labelNames: ['stage', 'code'] as const,
    registers: [registry],
  });
  const notificationsWithPreviousKey = new Counter({
    name: 'wechat_notifications_previous_key_total',
    help: 'Refund notifications that decrypted only with WECHAT_API_KEY_PREVIOUS (0 for long: the old key is no longer needed)',
    registers: [registry],
  });
  const reconcilerRuns = new Counter({
    name: 'reconciler_runs_total',
    help: 'Reconciler passes over stale refunds',
    registers: [registry],
  });
  const reconciledRefunds = new Counter({
    name: 'reconciler_refunds_total',
    help: 'Stale refunds the reconciler checked, by result',
    labelNames: ['result'] as const,
    registers: [registry],
  });
  const staleRefunds = new Gauge({
    name: 'reconciler_stale_refunds',
    help: 'Refunds found lost at the reconciler’s last pass: sends unanswered, or acceptances without a notification, for longer than RECONCILE_AFTER_SECONDS',
    registers: [registry],
  });
  const webhookDeliveries = new Counter({
    name: 'webhook_deliveries_total',
    help: 'Webhook deliveries ended, by endpoint and outcome (succeeded, failed, disabled: a 410)',
    labelNames: ['endpoint', 'outcome'] as const,
    registers: [registry],
  });
  const webhookAttempts = new Counter({
    name: 'webhook_attempts_total',
    help: 'Webhook attempts, by endpoint and result (2xx…5xx, or no_answer)',
    labelNames: ['endpoint', 'result'] as const,
    registers: [registry],
  });
  return {
    registry,
    webhookDeliveries,
    webhookAttempts,
    httpRequests,
    httpDuration,
    refundEvents,
    gatewayCalls,
    gatewayDuration,
    notifications,
    refundFailures,
    notificationsWithPreviousKey,
    reconcilerRuns,
    reconciledRefunds,
    staleRefunds,
  };
};

export type Metrics = ReturnType<typeof createMetrics>;

/** Counts an event this instance appended: by type, and a failure by stage and code too. */
export const countEvent = (metrics: Metrics, event: RefundEvent): void => {
  metrics.refundEvents.inc({ type: event.type });
  if (event.type === 'RefundFailed') {
    metrics.refundFailures.inc({ stage: event.data.stage, code: event.data.code });
  }
};

/** Projection lag, read when Prometheus scrapes. */
export const observeProjections = (
  metrics: Metrics,
  statuses: () => Promise<
    {
      name: string;
      position: bigint | undefined;
      head: bigint | undefined;
      secondsBehind: number;
    }[]
  >,
): void => {
  new Gauge({
    name: 'projection_lag_positions',
    help: "Log positions between a projection's checkpoint and the head of the log",
    labelNames: ['projection'] as const,
    registers: [metrics.registry],
    async collect() {
      for (const status of await statuses()) {
        const behind = (status.head ?? 0n) - (status.position ?? 0n);
        this.set({ projection: status.name }, Number(behind > 0n ? behind : 0n));
      }
    },
  });
  new Gauge({
    name: 'projection_lag_seconds',
    help: 'Age of the last event a projection applied while it has a backlog; 0 when caught up',
    labelNames: ['projection'] as const,
    registers: [metrics.registry],
    async collect() {
      for (const status of await statuses()) {
        this.set({ projection: status.name }, status.secondsBehind);
      }
    },
  });
};

/** Refunds the gateway reactor is sending or waiting to retry. */
export const observeGatewayBacklog = (metrics: Metrics, pending: () => number): void => {
  new Gauge({
    name: 'gateway_pending_refunds',
    help: 'Refunds the gateway reactor is sending or waiting to retry',
    registers: [metrics.registry],
    collect() {
      this.set(pending());
    },
  });
};

/** The refunds waiting for their first send, as the backlog watcher last measured them. */
export const observeSendBacklog = (metrics: Metrics, last: () => SendBacklog): void => {
  new Gauge({
    name: 'refunds_waiting_to_send',
    help: 'Refunds REQUESTED whose send the gateway has not started (the backlog drains at WECHAT_MAX_RPS)',
    registers: [metrics.registry],
    collect() {
      this.set(last().waiting);
    },
  });
  new Gauge({
    name: 'refunds_oldest_wait_seconds',
    help: 'How long the oldest refund waiting to be sent has waited; 0 when none waits',
    registers: [metrics.registry],
    collect() {
      this.set(last().oldestWaitSeconds);
    },
  });
};

/**
 * Refunds the gateway holds back for WeChat's rules, by rule: `order_spacing` (another refund of
 * the order went out less than ORDER_REFUND_SPACING_SECONDS ago) and `error_rate` (calls waiting
 * because WeChat answered 6 errors within a second).
 */
export const observeGatewayWaits = (
  metrics: Metrics,
  waiting: { order_spacing: () => number; error_rate: () => number },
): void => {
  new Gauge({
    name: 'gateway_waiting_refunds',
    help: "Refunds the gateway holds back for WeChat's rules, by rule (order_spacing, error_rate)",
    labelNames: ['rule'] as const,
    registers: [metrics.registry],
    collect() {
      for (const [rule, count] of Object.entries(waiting)) this.set({ rule }, count());
    },
  });
};

/** Counts a webhook attempt by its result, and the delivery when the attempt ended it. */
export const countWebhookAttempt =
  (metrics: Metrics) =>
  (endpoint: string, outcome: AttemptOutcome, result: WebhookAttemptResult): void => {
    metrics.webhookAttempts.inc({
      endpoint,
      result: result.kind === 'answered' ? `${Math.floor(result.status / 100)}xx` : 'no_answer',
    });
    if (outcome !== 'retry') metrics.webhookDeliveries.inc({ endpoint, outcome });
  };

/** Age of each enabled endpoint's oldest pending webhook delivery, read when Prometheus scrapes. */
export const observeWebhookBacklog = (
  metrics: Metrics,
  oldestPending: () => Promise<{ endpointId: string; seconds: number }[]>,
): void => {
  new Gauge({
    name: 'webhook_oldest_pending_delivery_seconds',
    help: "Age of the event of an enabled endpoint's oldest pending delivery; 0 when none",
    labelNames: ['endpoint'] as const,
    registers: [metrics.registry],
    async collect() {
      this.reset();
      for (const { endpointId, seconds } of await oldestPending()) {
        this.set({ endpoint: endpointId }, seconds);
      }
    },
  });
};

/** Counts a reconciler pass and the refunds it checked, by result. */
export const countReconcilerRun =
  (metrics: Metrics) =>
  (run: ReconcileRun): void => {
    metrics.reconcilerRuns.inc();
    metrics.staleRefunds.set(run.stale);
    for (const result of ['settled', 'resent', 'unchanged', 'failed'] as const) {
      metrics.reconciledRefunds.inc({ result }, run[result]);
    }
  };

/**
 * Refund events the service cannot read, read when Prometheus scrapes: each affects only its own
 * refund, and /readyz names their streams. While the read store is away the last count stays.
 */
export const observeCorruptEvents = (metrics: Metrics, list: () => Promise<unknown[]>): void => {
  new Gauge({
    name: 'refund_events_unreadable',
    help: 'Refund events in the log that cannot be read (each affects only its own refund)',
    registers: [metrics.registry],
    async collect() {
      const entries = await list().catch(() => undefined);
      if (entries) this.set(entries.length);
    },
  });
};

/**
 * The discrepancies of the last bill reconciliation (whichever instance or command ran it, read
 * from the store when Prometheus scrapes), by kind; none before the first. While the store is away
 * the last values stay.
 */
export const observeBillReconciliation = (
  metrics: Metrics,
  latest: () => Promise<Reconciliation | undefined>,
): void => {
  new Gauge({
    name: 'bill_reconciliation_discrepancies',
    help: "Discrepancies between WeChat Pay's refund bill and the log in the last reconciliation, by kind",
    labelNames: ['kind'] as const,
    registers: [metrics.registry],
    async collect() {
      const last = await latest().catch(() => null);
      if (last === null) return;
      for (const kind of discrepancyKinds) this.set({ kind }, last?.counts[kind] ?? 0);
    },
  });
};
