import { countingEvents, notingWrites, withMiddleware } from '../application/commandMiddleware.js';
import { createRefundCommandHandler } from '../application/handleRefundCommand.js';
import { orderSequence } from '../application/orderSequence.js';
import type { Clock } from '../application/ports/clock.js';
import type { EventStore } from '../application/ports/eventStore.js';
import type { Log } from '../application/ports/log.js';
import { createStreamStateCache } from '../application/streamStateCache.js';
import type { Config } from '../infrastructure/config/config.js';
import { createRefundApi } from '../infrastructure/http/refundApi.js';
import type { Metrics } from '../infrastructure/observability/metrics.js';
import { countEvent } from '../infrastructure/observability/refundMetrics.js';
import type { RunningProjections } from '../projections/projectionRegistry.js';
import { createRecentWrites } from '../projections/recentWrites.js';
import { createRefundReadModel } from '../projections/refundReadModel.js';

/**
 * The write path and the read side of the refunds API: the command handler with its middleware
 * (the events counted for /metrics, the writes noted for read-your-writes), the read model and
 * the API the routes call, whose requests of one order wait for the ledger in turn.
 */
export const composeRefundHandling = ({
  config,
  events,
  projections,
  metrics,
  clock,
  log,
}: {
  config: Config;
  events: EventStore;
  projections: RunningProjections;
  metrics: Metrics;
  clock: Clock;
  log: Log;
}) => {
  const recentWrites = createRecentWrites();
  const handle = withMiddleware(
    createRefundCommandHandler({ events, cache: createStreamStateCache() }),
    countingEvents((event) => countEvent(metrics, event)),
    notingWrites(recentWrites),
  );
  const readModel = createRefundReadModel({ events, projections, recentWrites });
  const refunds = createRefundApi({
    events,
    clock,
    handle,
    readModel,
    sequence: orderSequence({ projected: projections.orderLedger.reached, log }),
    defaults: {
      ...(config.refundAccount !== undefined && { refundAccount: config.refundAccount }),
    },
  });
  return { handle, readModel, refunds };
};

export type RefundHandling = ReturnType<typeof composeRefundHandling>;
