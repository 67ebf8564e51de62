import { Counter, type Registry } from 'prom-client';
import type { RefundEvent } from '../../domain/index.js';

/** The refunds' own metrics: the events appended, the failures, the notifications received. */
export const refundMetrics = (registry: Registry) => ({
  refundEvents: new Counter({
    name: 'refund_events_appended_total',
    help: 'Refund events this instance appended, by type (RefundSucceeded counts refunds settled)',
    labelNames: ['type'] as const,
    registers: [registry],
  }),
  notifications: new Counter({
    name: 'wechat_notifications_total',
    help: 'Refund notifications received, by result',
    labelNames: ['result'] as const,
    registers: [registry],
  }),
  refundFailures: new Counter({
    name: 'wechat_refund_failures_total',
    help: 'Refund failures this instance recorded, by stage (request: WeChat refused it; settlement: it failed after acceptance) and code (err_code or refund status)',
    labelNames: ['stage', 'code'] as const,
    registers: [registry],
  }),
  notificationsWithPreviousKey: new Counter({
    name: 'wechat_notifications_previous_key_total',
    help: 'Refund notifications that decrypted only with WECHAT_API_KEY_PREVIOUS (0 for long: the old key is no longer needed)',
    registers: [registry],
  }),
});

export type RefundMetrics = ReturnType<typeof refundMetrics>;

/** Counts an event this instance appended: by type, and a failure by stage and code too. */
export const countEvent = (metrics: RefundMetrics, event: RefundEvent): void => {
  metrics.refundEvents.inc({ type: event.type });
  if (event.type === 'RefundFailed') {
    metrics.refundFailures.inc({ stage: event.data.stage, code: event.data.code });
  }
};
