import type { DocumentCollection, DocumentStore } from '../application/ports/documentStore.js';
import type { JsonObject } from '../application/ports/eventStore.js';
import { generationCollectionName, projectionStorage } from '../projections/projectionStorage.js';
import { isJsonObject } from './jsonEqual.js';

export type StoredReadModel =
  | { checked: false; reason: string }
  | {
      checked: true;
      generation: number;
      checkpoint: bigint | undefined;
      collection: DocumentCollection<JsonObject>;
    };

/** Documents come back from JSON.parse, so an object's values are JSON values too. */
const storedJson = (value: unknown): JsonObject => {
  if (!isJsonObject(value)) throw new Error('a stored document is not a JSON object');
  return value;
};

/** The generation readers use now (projectionStorage's registry) and how far it has applied the log. */
export const storedReadModel = async (
  documents: DocumentStore,
  name: string,
): Promise<StoredReadModel> => {
  const storage = projectionStorage(documents);
  const entry = await storage.entry(name);
  if (!entry) return { checked: false, reason: 'no generation is registered: never built' };
  const collectionName = generationCollectionName({ name }, entry.generation);
  return {
    checked: true,
    generation: entry.generation,
    checkpoint: await storage.checkpoint(collectionName),
    collection: await documents.collection(collectionName, { decode: storedJson }),
  };
};
