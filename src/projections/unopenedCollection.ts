import type { DocumentCollection } from '../application/ports/documentStore.js';
import type { JsonObject } from '../application/ports/eventStore.js';
import { StoreUnavailable } from '../application/ports/storeHealth.js';

/**
 * Stands in for a read model whose store has not answered yet (the service starts, and listens,
 * before MongoDB does): every call fails with StoreUnavailable, which the HTTP layer answers 503.
 */
export const unopenedCollection = <T extends JsonObject>(
  name: string,
  reason: () => string,
): DocumentCollection<T> => {
  const fail = (): Promise<never> =>
    Promise.reject(new StoreUnavailable(`read model ${name} is not open yet: ${reason()}`));
  return {
    get: fail,
    getWithPosition: fail,
    getMany: fail,
    put: fail,
    delete: fail,
    writeMany: fail,
    findBy: fail,
    query: fail,
    all: () => ({ [Symbol.asyncIterator]: () => ({ next: fail }) }),
    entries: () => ({ [Symbol.asyncIterator]: () => ({ next: fail }) }),
    positions: fail,
    drop: fail,
  };
};
