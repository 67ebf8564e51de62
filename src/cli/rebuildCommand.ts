import type { Logger } from 'pino';
import { eachProjection, projectionNames } from '../projections/projectionRegistry.js';
import { rebuildProjection, type RebuildResult } from '../projections/rebuildProjection.js';
import type { Config } from '../infrastructure/config/config.js';
import { openStores } from '../infrastructure/stores/openStores.js';

/** The read models it rebuilds, for the command line's check and usage text. */
export { projectionNames };

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
  const rebuilds = new Map(
    eachProjection((projection): [string, () => Promise<RebuildResult>] => [
      projection.name,
      () => rebuildProjection(projection, deps),
    ]),
  );
  try {
    const results = [];
    for (const name of names) {
      const rebuild = rebuilds.get(name);
      if (!rebuild) {
        throw new Error(`unknown read model ${name}; known: ${projectionNames.join(', ')}`);
      }
      results.push({ name, result: await rebuild() });
    }
    return results;
  } finally {
    await documents.close();
    await events.close();
  }
};
