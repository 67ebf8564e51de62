import { Gauge, type Registry } from 'prom-client';
import { discrepancyKinds, type Reconciliation } from '../../application/bills/reconciliation.js';

/**
 * The discrepancies of the last bill reconciliation (whichever instance or command ran it, read
 * from the store when Prometheus scrapes), by kind; none before the first. While the store is away
 * the last values stay.
 */
export const observeBillReconciliation = (
  metrics: { registry: Registry },
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
