import type { Log } from '../application/ports/log.js';
import { createMetrics } from '../infrastructure/observability/metrics.js';
import {
  observeCorruptEvents,
  observeProjections,
} from '../infrastructure/observability/readSideMetrics.js';
import { watchReadiness } from '../infrastructure/observability/readiness.js';
import type { Stores } from '../infrastructure/stores/openStores.js';
import { corruptEvents } from '../projections/corruptEvents.js';
import type { RunningProjections } from '../projections/projectionRegistry.js';

/**
 * What /readyz and /metrics report from the start: the stores' health, the projections and the
 * events they could not read. The metrics of the parts built later are observed where they are.
 */
export const observeService = ({
  stores,
  projections,
  log,
  intervalMs,
}: {
  stores: Stores;
  projections: RunningProjections;
  log: Log;
  intervalMs: number;
}) => {
  const unreadable = corruptEvents(stores.documents);
  const { readiness, stop } = watchReadiness({
    stores,
    projections: projections.statuses,
    corruptEvents: unreadable.list,
    log,
    intervalMs,
  });
  const metrics = createMetrics();
  observeProjections(metrics, projections.statuses);
  observeCorruptEvents(metrics, unreadable.list);
  return { readiness, metrics, stop };
};
