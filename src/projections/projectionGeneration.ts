import type { DocumentCollection, DocumentStore } from '../application/ports/documentStore.js';
import type { EventStore, JsonObject } from '../application/ports/eventStore.js';
import type { Log } from '../application/ports/log.js';
import type { Projection } from './projection.js';
import { generationCollectionName, type projectionStorage } from './projectionStorage.js';
import { rebuildProjection } from './rebuildProjection.js';

type Storage = ReturnType<typeof projectionStorage>;

/** A generation of a read model, opened, and the position its checkpoint is at. */
export type OpenGeneration<D extends JsonObject> = {
  generation: number;
  collection: DocumentCollection<D>;
  position: bigint | undefined;
};

const openAtCheckpoint = async <D extends JsonObject>(
  projection: Projection<D>,
  storage: Storage,
  generation: number,
): Promise<OpenGeneration<D>> => {
  const collection = await storage.collection(projection, generation);
  const position = await storage.checkpoint(generationCollectionName(projection, generation));
  return { generation, collection, position };
};

/**
 * The generation readers use, opened: the read model rebuilt first when the projection's version
 * changed, registered when it is new; the other generations are dropped.
 */
export const openCurrentGeneration = async <D extends JsonObject>(
  projection: Projection<D>,
  {
    storage,
    events,
    documents,
    log,
  }: { storage: Storage; events: EventStore; documents: DocumentStore; log: Log },
): Promise<OpenGeneration<D>> => {
  let entry = await storage.entry(projection.name);
  if (entry && entry.version !== projection.version) {
    log.info(
      { projection: projection.name, from: entry.version, to: projection.version },
      'projection version changed',
    );
    await rebuildProjection(projection, { events, documents, log, dropOld: true });
    entry = await storage.entry(projection.name);
  }
  if (!entry) {
    entry = { version: projection.version, generation: 1 };
    // Another instance may register first: whichever wins, both read the winner back.
    await storage.switchTo(projection.name, entry);
    entry = (await storage.entry(projection.name)) ?? entry;
  }
  await storage.dropOtherGenerations(projection, entry.generation);
  return openAtCheckpoint(projection, storage, entry.generation);
};

/** The generation a rebuild switched readers to since `current`, opened; undefined when none. */
export const switchedGeneration = async <D extends JsonObject>(
  projection: Projection<D>,
  storage: Storage,
  current: number,
): Promise<OpenGeneration<D> | undefined> => {
  const latest = await storage.entry(projection.name);
  if (!latest || latest.generation <= current) return undefined;
  return openAtCheckpoint(projection, storage, latest.generation);
};
