import type { EventStore, ReadCategoryOptions, RecordedEvent } from './ports/eventStore.js';

/**
 * The event store, with reads of a category answered from memory near the head of the log.
 * The projections and the gateway reactor all follow the same category close behind the head;
 * without this each of them reads, and parses, every new event again. The cache holds one
 * contiguous stretch of the log: all the category's events after `from`, up to `to`, so a read it
 * answers is exactly what the store would have answered.
 */
export const cachedCategoryReads = (
  events: EventStore,
  category: string,
  capacity = 5_000,
): EventStore => {
  /** Events with from < position <= to, in order; from is exclusive (undefined: the start). */
  let cached: RecordedEvent[] = [];
  let from: bigint | undefined;
  let to: bigint | undefined;
  let known = false;

  const covers = (after: bigint | undefined): boolean =>
    known &&
    (from === undefined ? true : after !== undefined && after >= from) &&
    (to === undefined || after === undefined || after <= to);

  const slice = (after: bigint | undefined, limit: number): RecordedEvent[] => {
    const start = after === undefined ? 0 : firstAfter(cached, after);
    return cached.slice(start, start + limit);
  };

  const remember = (after: bigint | undefined, page: RecordedEvent[]): void => {
    const last = page.at(-1);
    if (!last) return;
    if (known && after === (to ?? from)) {
      for (const event of page) cached.push(event);
    } else if (!known || (after !== undefined && (to === undefined || after > to))) {
      // Ahead of the cache (or nothing cached): start again there. A reader behind the cache
      // (a projection catching up) is served from the store without evicting the head.
      cached = [...page];
      from = after;
      known = true;
    } else {
      return;
    }
    to = last.position;
    // Trimmed in steps of a whole capacity, so that appending stays cheap.
    if (cached.length >= 2 * capacity) {
      const excess = cached.length - capacity;
      from = cached[excess - 1]?.position;
      cached = cached.slice(excess);
    }
  };

  const readCategory = async (
    name: string,
    options: ReadCategoryOptions,
  ): Promise<RecordedEvent[]> => {
    if (name !== category) return events.readCategory(name, options);
    const { after, limit } = options;
    if (covers(after)) {
      const hit = slice(after, limit);
      if (hit.length === limit) return hit;
      // The rest, if any, is past what is cached: read on from the end of the cache. The end as
      // it was before the read: another reader may extend the cache meanwhile, and these events
      // must then not be added a second time.
      const end = to;
      const more = await events.readCategory(name, {
        ...(end !== undefined && { after: end }),
        limit: limit - hit.length,
      });
      remember(end, more);
      return hit.concat(more);
    }
    const page = await events.readCategory(name, options);
    remember(after, page);
    return page;
  };

  return {
    append: (...args) => events.append(...args),
    readStream: (stream) => events.readStream(stream),
    readCategory,
    headPosition: (name) => events.headPosition(name),
    onAppended: (listener) => events.onAppended(listener),
    health: () => events.health(),
    close: () => events.close(),
  };
};

/** Index of the first event after the position (binary search: positions increase). */
const firstAfter = (events: readonly RecordedEvent[], position: bigint): number => {
  let low = 0;
  let high = events.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if ((events[middle]?.position ?? 0n) <= position) low = middle + 1;
    else high = middle;
  }
  return low;
};
