import type { AllStreamResolvedEvent } from '@eventstore/db-client';
import { commitPositionOf, inCategory } from './esdbEventMapping.js';

/**
 * Reads up to `count` events of $all starting at a position (inclusive, as the server reads), or
 * at the start (forwards) / the end (backwards) when the position is undefined.
 */
export type ReadAllChunk = (
  from: bigint | undefined,
  count: number,
) => Promise<AllStreamResolvedEvent[]>;

/**
 * The category's events after a position (exclusive), in commit order, at most `limit`.
 *
 * Why a client-side scan: @eventstore/db-client 6 sends no filter with readAll (only its
 * subscriptions take a streamNameFilter), so $all is read in chunks and filtered here. Each chunk
 * starts at the last event seen, which the server returns again (reads are inclusive) and the
 * scan skips, as it skips the event at exactly `after`.
 */
export const scanCategoryForward = async ({
  readChunk,
  category,
  after,
  limit,
  chunkSize,
}: {
  readChunk: ReadAllChunk;
  category: string;
  after: bigint | undefined;
  limit: number;
  chunkSize: number;
}): Promise<AllStreamResolvedEvent[]> => {
  if (chunkSize < 2) throw new Error('chunkSize must be at least 2 to make progress');
  const found: AllStreamResolvedEvent[] = [];
  let cursor = after;
  while (found.length < limit) {
    const chunk = await readChunk(cursor, chunkSize);
    for (const resolved of chunk) {
      const position = commitPositionOf(resolved);
      if (cursor !== undefined && position <= cursor) continue;
      cursor = position;
      if (inCategory(category, resolved.event)) found.push(resolved);
      if (found.length === limit) break;
    }
    if (chunk.length < chunkSize) break;
  }
  return found;
};

/** The position of the category's last event, reading $all backwards from the end. */
export const scanCategoryHead = async ({
  readChunk,
  category,
  chunkSize,
}: {
  readChunk: ReadAllChunk;
  category: string;
  chunkSize: number;
}): Promise<bigint | undefined> => {
  if (chunkSize < 2) throw new Error('chunkSize must be at least 2 to make progress');
  let cursor: bigint | undefined;
  for (;;) {
    const chunk = await readChunk(cursor, chunkSize);
    for (const resolved of chunk) {
      const position = commitPositionOf(resolved);
      if (cursor !== undefined && position >= cursor) continue;
      cursor = position;
      if (inCategory(category, resolved.event)) return position;
    }
    if (chunk.length < chunkSize) return undefined;
  }
};
