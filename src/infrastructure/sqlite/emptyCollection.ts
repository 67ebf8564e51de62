import type { DocumentCollection } from '../../application/ports/documentStore.js';
import type { JsonObject } from '../../application/ports/eventStore.js';
import { readOnlyRefusal } from '../stores/readOnlyRefusal.js';

const readOnly = () => readOnlyRefusal('document store');

/** A collection a read-only store does not have: nothing in it, and nothing can be put in it. */
export const emptyCollection = <T extends JsonObject>(): DocumentCollection<T> => ({
  get: async () => undefined,
  getWithPosition: async () => undefined,
  getMany: async () => new Map(),
  put: readOnly,
  delete: readOnly,
  writeMany: readOnly,
  findBy: async () => [],
  query: async () => ({ documents: [], next: undefined }),
  all: async function* () {},
  entries: async function* () {},
  positions: async () => [],
  drop: readOnly,
});
