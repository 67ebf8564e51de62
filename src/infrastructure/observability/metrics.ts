import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

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
  return { registry, httpRequests, httpDuration };
};

export type Metrics = ReturnType<typeof createMetrics>;

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
