import type { DocumentStore } from '../application/ports/documentStore.js';
import type { EventStore, JsonObject } from '../application/ports/eventStore.js';
import type { Log } from '../application/ports/log.js';
import { refundCategory } from '../application/refundEventCodec.js';
import { applyEvents } from './applyEvents.js';
import { corruptEvents, reportSkippedEvents } from './corruptEvents.js';
import type { Projection } from './projection.js';
import { generationCollectionName, projectionStorage } from './projectionStorage.js';

export type RebuildResult =
  | { ok: true; generation: number; position: bigint | undefined; events: number }
  | { ok: false; reason: 'superseded' };

/**
 * Builds a new generation of the read model from the start of the log, aside from the one
 * readers use, then switches readers to it. A running service notices the switch, carries on from
 * where the rebuild stopped and drops the old generation.
 */
export const rebuildProjection = async <D extends JsonObject>(
  projection: Projection<D>,
  {
    events,
    documents,
    log,
    batchSize = 1000,
    dropOld = false,
  }: {
    events: EventStore;
    documents: DocumentStore;
    log: Log;
    batchSize?: number;
    /** Drop the previous generation right away (no running service reads it). */
    dropOld?: boolean;
  },
): Promise<RebuildResult> => {
  const storage = projectionStorage(documents);
  const registry = corruptEvents(documents);
  const current = await storage.entry(projection.name);
  const generation =
    Math.max(current?.generation ?? 0, ...(await storage.generations(projection))) + 1;
  const target = await storage.collection(projection, generation);
  log.info({ projection: projection.name, generation }, 'rebuilding read model');

  let position: bigint | undefined;
  let count = 0;
  for (;;) {
    const page = await events.readCategory(refundCategory, {
      ...(position !== undefined && { after: position }),
      limit: batchSize,
    });
    if (page.length === 0) break;
    const skipped = await applyEvents(projection, target, page);
    await reportSkippedEvents(skipped, { reader: projection.name, log, registry });
    position = page.at(-1)?.position;
    count += page.length;
  }
  const collectionName = generationCollectionName(projection, generation);
  if (position !== undefined) await storage.saveCheckpoint(collectionName, position);

  if (!(await storage.switchTo(projection.name, { version: projection.version, generation }))) {
    // Two instances started together after a version change may both pick the same next
    // generation, build it side by side (position-guarded writes: the same documents) and race to
    // switch. The loser must not drop what the winner just made live.
    if ((await storage.entry(projection.name))?.generation !== generation) await target.drop();
    return { ok: false, reason: 'superseded' };
  }
  if (dropOld) await storage.dropOtherGenerations(projection, generation);
  log.info({ projection: projection.name, generation, events: count }, 'read model rebuilt');
  return { ok: true, generation, position, events: count };
};
