import type { AllStreamResolvedEvent, Position } from '@eventstore/db-client';
import { commitPositionOf, esdbPosition, inCategory } from './esdbEventMapping.js';

/**
 * Reads up to `count` events of $all backwards from a position (inclusive, as the server reads),
 * or from the end when the position is undefined.
 */
export type ReadAllChunk = (
  from: bigint | undefined,
  count: number,
) => Promise<AllStreamResolvedEvent[]>;

/** The slice of a catch-up subscription to $all (the client's subscribeToAll) a read uses. */
export type CatchUpSubscription = {
  on(event: 'data', listener: (resolved: AllStreamResolvedEvent) => void): unknown;
  on(event: 'caughtUp' | 'end' | 'close', listener: () => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  unsubscribe(): Promise<void>;
};

/**
 * Opens a catch-up subscription to $all from a position (exclusive, as the server has it; the
 * start when undefined) that the server filters to the category's streams, calling `checkpoint`
 * with each position the server says it has searched up to (kept whole: it need not be an
 * event's, whose commit and prepare positions are equal).
 */
export type SubscribeToCategory = (
  category: string,
  from: Position | undefined,
  checkpoint: (position: Position) => void,
) => CatchUpSubscription;

export class CatchUpTimedOut extends Error {
  override readonly name = 'CatchUpTimedOut';
}

/**
 * Reads of a category, each a catch-up subscription that the server filters by stream prefix, so
 * only the category's events cross the network: it ends after `limit` events, or when the server
 * says it has caught up with the head (EventStoreDB 23.10 and later say so).
 *
 * Why it remembers: the readers follow the log from its last refund event, and everything after
 * it (other categories, the server's own events) would be searched again by every poll. When a
 * read reaches the head, the last checkpoint the server gave is how far it searched; the next
 * read from the same position starts there, so a poll costs what was appended since the last.
 */
export const createCategoryReader = ({
  subscribe,
  timeoutMs,
}: {
  subscribe: SubscribeToCategory;
  /** A read that neither fills its limit nor hears "caught up" within this fails. */
  timeoutMs: number;
}) => {
  const searched = new Map<string, { after: bigint | undefined; through: Position }>();

  return (category: string, after: bigint | undefined, limit: number) =>
    new Promise<AllStreamResolvedEvent[]>((resolve, reject) => {
      const known = searched.get(category);
      const from =
        known && known.after === after
          ? known.through
          : after !== undefined
            ? esdbPosition(after)
            : undefined;
      const found: AllStreamResolvedEvent[] = [];
      let lastCheckpoint: Position | undefined;
      let done = false;
      const subscription = subscribe(category, from, (position) => {
        lastCheckpoint = position;
      });
      const finish = (error?: Error): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        void subscription.unsubscribe().catch(() => undefined);
        if (error) return reject(error);
        const last = found.at(-1);
        const reached = last ? commitPositionOf(last) : after;
        if (lastCheckpoint && (reached === undefined || lastCheckpoint.commit > reached)) {
          searched.set(category, { after: reached, through: lastCheckpoint });
        }
        resolve(found);
      };
      const timer = setTimeout(
        () =>
          finish(
            new CatchUpTimedOut(
              `EventStoreDB did not say it caught up within ${timeoutMs} ms (it needs 23.10 or later)`,
            ),
          ),
        timeoutMs,
      );
      subscription.on('data', (resolved) => {
        if (done) return;
        const position = commitPositionOf(resolved);
        // The server starts after `from`; the checks keep a read exact whatever it sends.
        if ((after !== undefined && position <= after) || !inCategory(category, resolved.event)) {
          return;
        }
        found.push(resolved);
        if (found.length === limit) {
          lastCheckpoint = undefined;
          finish();
        }
      });
      subscription.on('caughtUp', () => finish());
      subscription.on('error', (error) => finish(error));
      subscription.on('end', () => finish(new Error('the subscription ended before catching up')));
      subscription.on('close', () =>
        finish(new Error('the subscription closed before catching up')),
      );
    });
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
