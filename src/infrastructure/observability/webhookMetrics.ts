import { Counter, Gauge, type Registry } from 'prom-client';
import type { AttemptOutcome } from '../../application/webhooks/deliveryAfterAttempt.js';
import type { WebhookAttemptResult } from '../../application/webhooks/webhookPorts.js';

/** Webhook deliveries and their attempts. */
export const webhookMetrics = (registry: Registry) => ({
  webhookDeliveries: new Counter({
    name: 'webhook_deliveries_total',
    help: 'Webhook deliveries ended, by endpoint and outcome (succeeded, failed, disabled: a 410)',
    labelNames: ['endpoint', 'outcome'] as const,
    registers: [registry],
  }),
  webhookAttempts: new Counter({
    name: 'webhook_attempts_total',
    help: 'Webhook attempts, by endpoint and result (2xx…5xx, or no_answer)',
    labelNames: ['endpoint', 'result'] as const,
    registers: [registry],
  }),
});

export type WebhookMetrics = ReturnType<typeof webhookMetrics>;

/** Counts a webhook attempt by its result, and the delivery when the attempt ended it. */
export const countWebhookAttempt =
  (metrics: WebhookMetrics) =>
  (endpoint: string, outcome: AttemptOutcome, result: WebhookAttemptResult): void => {
    metrics.webhookAttempts.inc({
      endpoint,
      result: result.kind === 'answered' ? `${Math.floor(result.status / 100)}xx` : 'no_answer',
    });
    if (outcome !== 'retry') metrics.webhookDeliveries.inc({ endpoint, outcome });
  };

/**
 * Age of each enabled endpoint's oldest pending webhook delivery — or of the oldest event whose
 * deliveries are not written yet, when older — read when Prometheus scrapes.
 */
export const observeWebhookBacklog = (
  metrics: { registry: Registry },
  oldestPending: () => Promise<{ endpointId: string; seconds: number }[]>,
): void => {
  new Gauge({
    name: 'webhook_oldest_pending_delivery_seconds',
    help: "Age of the event of an enabled endpoint's oldest pending delivery, or of an event not fanned out yet; 0 when none",
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
