import { z } from 'zod';
import type { DocumentCollection, DocumentStore } from '../application/ports/documentStore.js';
import type { JsonObject } from '../application/ports/eventStore.js';
import type { Projection } from './projection.js';

const registrySchema = z.object({ version: z.number().int(), generation: z.number().int() });
export type RegistryEntry = z.infer<typeof registrySchema>;

const checkpointSchema = z.object({ position: z.string().regex(/^\d+$/) });

export const generationCollectionName = (projection: { name: string }, generation: number) =>
  `${projection.name}_g${generation}`;

/**
 * Where a projection's documents live. Each build of a read model is a generation in its own
 * collection (`<name>_g<n>`); the registry says which generation readers use, so a rebuild can
 * fill a new generation while the current one keeps answering, then switch.
 */
export const projectionStorage = (documents: DocumentStore) => {
  const registry = documents.collection('projection_registry', {
    decode: (value) => registrySchema.parse(value),
  });
  const checkpoints = documents.collection('projection_checkpoints', {
    decode: (value) => checkpointSchema.parse(value),
  });
  const collection = <D extends JsonObject>(
    projection: Projection<D>,
    generation: number,
  ): Promise<DocumentCollection<D>> =>
    documents.collection(generationCollectionName(projection, generation), {
      decode: projection.decode,
      indexes: projection.indexes,
      ...(projection.orderedIndexes && { orderedIndexes: projection.orderedIndexes }),
    });
  const generations = async (projection: { name: string }): Promise<number[]> => {
    const pattern = new RegExp(`^${projection.name}_g(\\d+)$`);
    return (await documents.collectionNames()).flatMap((name) => {
      const match = pattern.exec(name);
      return match ? [Number(match[1])] : [];
    });
  };
  return {
    entry: async (name: string): Promise<RegistryEntry | undefined> => (await registry).get(name),
    /** Compare-and-set on the generation: false when another process switched first. */
    switchTo: async (name: string, entry: RegistryEntry): Promise<boolean> =>
      (await registry).put(name, entry, BigInt(entry.generation)),
    collection,
    /** Generations that have a collection, including unfinished ones. */
    generations,
    checkpoint: async (collectionName: string): Promise<bigint | undefined> => {
      const saved = await (await checkpoints).get(collectionName);
      return saved && BigInt(saved.position);
    },
    saveCheckpoint: async (collectionName: string, position: bigint): Promise<void> => {
      await (await checkpoints).put(collectionName, { position: position.toString() }, position);
    },
    /**
     * Drops every generation of the projection but the given one. Their checkpoints stay behind
     * as tombstones: generation numbers are never reused.
     */
    dropOtherGenerations: async <D extends JsonObject>(
      projection: Projection<D>,
      keep: number,
    ): Promise<void> => {
      for (const generation of await generations(projection)) {
        if (generation === keep) continue;
        const name = generationCollectionName(projection, generation);
        await (await collection(projection, generation)).drop();
        await (await checkpoints).delete(name, 2n ** 63n - 1n);
      }
    },
  };
};
