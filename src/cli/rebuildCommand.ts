import type { Logger } from 'pino';
import type { JsonObject } from '../application/ports/eventStore.js';
import type { Projection } from '../projections/projection.js';
import { rebuildProjection, type RebuildResult } from '../projections/rebuildProjection.js';
import { idempotencyGuardProjection } from '../projections/idempotencyGuard.js';
import { orderLedgerProjection } from '../projections/orderLedger.js';
import { refundViewProjection } from '../projections/refundViewProjection.js';
import type { Config } from '../infrastructure/config/config.js';
import { openStores } from '../infrastructure/stores/openStores.js';

export const projectionNames = ['refund_view', 'order_ledger', 'idempotency_guard'] as const;

/**
 * `refunds projections rebuild [name]`: builds each read model aside from the live one and
 * switches to it. A running service follows the switch and drops the old generation.
 */
export const rebuildCommand = async ({
  config,
  names,
  logger,
}: {
  config: Config;
  names: readonly string[];
  logger: Logger;
}): Promise<{ name: string; result: RebuildResult }[]> => {
  const { events, documents } = openStores(config, { log: logger });
  const deps = { events, documents, log: logger };
  const rebuild = <D extends JsonObject>(projection: Projection<D>) =>
    rebuildProjection(projection, deps).then((result) => ({ name: projection.name, result }));
  try {
    const results = [];
    for (const name of names) {
      switch (name) {
        case 'refund_view':
          results.push(await rebuild(refundViewProjection));
          break;
        case 'order_ledger':
          results.push(await rebuild(orderLedgerProjection));
          break;
        case 'idempotency_guard':
          results.push(await rebuild(idempotencyGuardProjection));
          break;
        default:
          throw new Error(`unknown read model ${name}; known: ${projectionNames.join(', ')}`);
      }
    }
    return results;
  } finally {
    await documents.close();
    await events.close();
  }
};
