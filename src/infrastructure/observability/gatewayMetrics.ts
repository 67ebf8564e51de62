import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { ReconcileRun } from '../../application/reconciler.js';
import type { SendBacklog } from '../../application/sendBacklog.js';

/** The calls to WeChat Pay and the reconciler's passes. */
export const gatewayMetrics = (registry: Registry) => ({
  gatewayCalls: new Counter({
    name: 'wechat_calls_total',
    help: 'Calls to WeChat Pay, by operation and outcome',
    labelNames: ['operation', 'outcome'] as const,
    registers: [registry],
  }),
  gatewayDuration: new Histogram({
    name: 'wechat_call_duration_seconds',
    help: 'Time WeChat Pay took to answer, rate-limit wait included',
    labelNames: ['operation'] as const,
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  }),
  reconcilerRuns: new Counter({
    name: 'reconciler_runs_total',
    help: 'Reconciler passes over stale refunds',
    registers: [registry],
  }),
  reconciledRefunds: new Counter({
    name: 'reconciler_refunds_total',
    help: 'Stale refunds the reconciler checked, by result',
    labelNames: ['result'] as const,
    registers: [registry],
  }),
  staleRefunds: new Gauge({
    name: 'reconciler_stale_refunds',
    help: 'Refunds found lost at the reconciler’s last pass: sends unanswered, or acceptances without a notification, for longer than RECONCILE_AFTER_SECONDS',
    registers: [registry],
  }),
});

export type GatewayMetrics = ReturnType<typeof gatewayMetrics>;

/** Refunds the gateway reactor is sending or waiting to retry. */
export const observeGatewayBacklog = (
  metrics: { registry: Registry },
  pending: () => number,
): void => {
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
export const observeSendBacklog = (
  metrics: { registry: Registry },
  last: () => SendBacklog,
): void => {
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
  metrics: { registry: Registry },
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

/** Counts a reconciler pass and the refunds it checked, by result. */
export const countReconcilerRun =
  (metrics: GatewayMetrics) =>
  (run: ReconcileRun): void => {
    metrics.reconcilerRuns.inc();
    metrics.staleRefunds.set(run.stale);
    for (const result of ['settled', 'resent', 'unchanged', 'failed'] as const) {
      metrics.reconciledRefunds.inc({ result }, run[result]);
    }
  };
