import type { EventStore, RecordedEvent } from './ports/eventStore.js';

/**
 * A category's events in position order, page by page, up to and including `head`: a fixed
 * prefix of a log that others keep appending to, so that a reader sees one consistent state of
 * it. Each page is a read of its own; nothing is held open between pages, so a long read never
 * stands in a writer's way.
 */
export const readCategoryUpTo = async function* (
  events: EventStore,
  category: string,
  { head, pageSize }: { head: bigint | undefined; pageSize: number },
): AsyncGenerator<RecordedEvent[]> {
  if (head === undefined) return;
  let after: bigint | undefined;
  for (;;) {
    const page = await events.readCategory(category, {
      ...(after !== undefined && { after }),
      limit: pageSize,
    });
    const last = page.at(-1);
    if (!last) return;
    if (last.position <= head) {
      yield page;
    } else {
      const within = page.filter((event) => event.position <= head);
      if (within.length > 0) yield within;
      return;
    }
    if (last.position === head || page.length < pageSize) return;
    after = last.position;
  }
};
