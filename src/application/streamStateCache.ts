import type { Refund, RefundEvent } from '../domain/index.js';

/** A stream as the command handler last saw it: its events, their fold, the last revision. */
export type CachedStream = {
  readonly history: readonly RefundEvent[];
  readonly state: Refund;
  readonly revision: bigint;
};

/**
 * The streams this process read or wrote last, so a command on a refund it has just handled
 * decides without reading the stream again. Bounded, the least recently used forgotten first.
 * An entry can only be behind the store (another writer appended), never ahead of it: the
 * command handler appends at the cached revision, so optimistic concurrency refuses a decision
 * made on a stale entry, and the handler evicts it and reads the store.
 */
export const createStreamStateCache = (limit = 5_000) => {
  const streams = new Map<string, CachedStream>();
  return {
    get: (streamName: string): CachedStream | undefined => {
      const found = streams.get(streamName);
      if (found === undefined) return undefined;
      streams.delete(streamName);
      streams.set(streamName, found);
      return found;
    },
    set: (streamName: string, stream: CachedStream): void => {
      streams.delete(streamName);
      streams.set(streamName, stream);
      if (streams.size > limit) {
        const oldest = streams.keys().next();
        if (!oldest.done) streams.delete(oldest.value);
      }
    },
    evict: (streamName: string): void => {
      streams.delete(streamName);
    },
    get size(): number {
      return streams.size;
    },
  };
};

export type StreamStateCache = ReturnType<typeof createStreamStateCache>;
