import type { Logger } from 'pino';
import { eachProjection, projectionNames } from '../projections/projectionRegistry.js';
import { rebuildProjection, type RebuildResult } from '../projections/rebuildProjection.js';
import type { Config } from '../infrastructure/config/config.js';
import { openStores } from '../infrastructure/stores/openStores.js';
import { createLogger } from '../infrastructure/observability/logger.js';
import { errorMessage } from '../application/errorMessage.js';
import { defineCommand } from './command.js';
import { UsageError } from './usageError.js';

/**
 * Builds each read model aside from the live one and switches to it. A running service follows
 * the switch and drops the old generation.
 */
const rebuildReadModels = async ({
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

const reportOf = (results: { name: string; result: RebuildResult }[]) =>
  results.map(({ name, result }) =>
    result.ok
      ? { name, ok: true, generation: result.generation, events: result.events }
      : { name, ok: false, reason: result.reason },
  );

const lineOf = ({ name, result }: { name: string; result: RebuildResult }): string =>
  result.ok
    ? `${name}: rebuilt from ${result.events} events as generation ${result.generation}\n`
    : `${name}: another rebuild switched first; nothing changed\n`;

/** `refunds projections rebuild [name...] [--json]`. Exit 1 when another rebuild switched first. */
export const rebuildCommand = defineCommand({
  name: 'projections rebuild',
  operands: [{ name: 'name', repeatable: true }],
  options: { json: { type: 'boolean', default: false } },
  description:
    'rebuild read models from the event log, aside from the live ones, then switch ' +
    `(${projectionNames.join(', ')})`,
  run: async ({ values, operands, config }, io) => {
    const unknown = operands.filter((name) => !projectionNames.some((known) => known === name));
    if (unknown.length > 0) throw new UsageError(`Unknown read model: ${unknown.join(', ')}`);
    // Logs go to stderr: stdout carries the result only.
    const logger = createLogger(config.logLevel, io.stderr);
    let results;
    try {
      results = await rebuildReadModels({
        config,
        names: operands.length > 0 ? operands : projectionNames,
        logger,
      });
    } catch (error) {
      io.stderr.write(`Rebuild failed: ${errorMessage(error)}\n`);
      return 1;
    }
    io.stdout.write(
      values.json
        ? `${JSON.stringify({ rebuilt: reportOf(results) })}\n`
        : results.map(lineOf).join(''),
    );
    return results.every(({ result }) => result.ok) ? 0 : 1;
  },
});
