import { z } from 'zod';
import type { DocumentStore } from './ports/documentStore.js';

const checkpointSchema = z.object({ position: z.string().regex(/^\d+$/) });

export type Checkpoints = {
  load(name: string): Promise<bigint | undefined>;
  /** Moves forward only: a lower position than the stored one is ignored. */
  save(name: string, position: bigint): Promise<void>;
};

/** Checkpoints of subscribers (the gateway reactor), kept in the read-model store. */
export const documentCheckpoints = (documents: DocumentStore): Checkpoints => {
  const collection = documents.collection('subscription_checkpoints', {
    decode: (value) => checkpointSchema.parse(value),
  });
  return {
    load: async (name) => {
      const saved = await (await collection).get(name);
      return saved && BigInt(saved.position);
    },
    save: async (name, position) => {
      await (await collection).put(name, { position: position.toString() }, position);
    },
  };
};
