import { Gauge, type Registry } from 'prom-client';

/** Projection lag, read when Prometheus scrapes. */
export const observeProjections = (
  metrics: { registry: Registry },
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

/**
 * Refund events the service cannot read, read when Prometheus scrapes: each affects only its own
 * refund, and /readyz names their streams. While the read store is away the last count stays.
 */
export const observeCorruptEvents = (
  metrics: { registry: Registry },
  list: () => Promise<unknown[]>,
): void => {
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
