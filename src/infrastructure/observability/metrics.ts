import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { gatewayMetrics } from './gatewayMetrics.js';
import { refundMetrics } from './refundMetrics.js';
import { webhookMetrics } from './webhookMetrics.js';

/**
 * Every metric of the service, in a registry of its own (no global state between instances): the
 * HTTP ones here, each area's in its module, with the gauges its parts observe when they start.
 */
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
  return {
    registry,
    httpRequests,
    httpDuration,
    ...refundMetrics(registry),
    ...gatewayMetrics(registry),
    ...webhookMetrics(registry),
  };
};

export type Metrics = ReturnType<typeof createMetrics>;
