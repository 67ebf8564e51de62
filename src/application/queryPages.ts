import type { JsonObject } from './ports/eventStore.js';
import type { DocumentCollection, DocumentQuery } from './ports/documentStore.js';

/**
 * Every page a query selects, in order, one query per page, each continuing after the one
 * before. The collection is asked for each page (a read model may switch generations between
 * them); a page's documents may be changed before the next is asked for.
 */
export const queryPages = async function* <T extends JsonObject>(
  collection: () => DocumentCollection<T> | Promise<DocumentCollection<T>>,
  query: Omit<DocumentQuery, 'after'>,
): AsyncIterable<T[]> {
  for (let after: string | undefined; ;) {
    const page = await (
      await collection()
    ).query({ ...query, ...(after !== undefined && { after }) });
    yield page.documents;
    if (page.next === undefined) return;
    after = page.next;
  }
};
