import type { AppendSignal } from '../application/appendSignal.js';
import { InvalidCursor } from '../application/documentQuery.js';
import type { Clock } from '../application/ports/clock.js';
import type { EventStore, RecordedEvent } from '../application/ports/eventStore.js';
import { refundCategory } from '../application/refundEventCodec.js';
import {
  outcomeEventTypeOf,
  type OutcomeEventType,
} from '../application/webhooks/refundEventTypes.js';
import { refundEventObjects, type RefundEventObject } from './refundEventObjects.js';

export type EventFeedQuery = {
  after?: string;
  types?: readonly OutcomeEventType[];
  limit: number;
  waitMs: number;
};

export type EventFeedPage = { data: RefundEventObject[]; nextCursor: string };

/** The feed's cursor: a log position, opaque to clients; `start` before the first event. */
const encodeFeedCursor = (position: bigint | undefined): string =>
  Buffer.from(position === undefined ? 'start' : `p${position}`).toString('base64url');

const decodeFeedCursor = (cursor: string): bigint | undefined => {
  const text = /^[A-Za-z0-9_-]{1,64}$/.test(cursor)
    ? Buffer.from(cursor, 'base64url').toString('utf8')
    : '';
  if (text === 'start') return undefined;
  const match = /^p(\d{1,20})$/.exec(text);
  if (!match?.[1]) throw new InvalidCursor('the cursor is not one this feed gave out');
  return BigInt(match[1]);
};

/**
 * GET /v1/events: refund events in log order as event objects. With a type filter a request reads
 * at most `maxScan` events, and answers with what it found and a cursor past what it read, so a
 * rare type never makes one request read the whole log. A long poll waits on the append signal
 * (one listener for every waiting request), and reads again only once something was appended.
 */
export const createEventFeed = ({
  events,
  signal,
  clock,
  maxScan = 5000,
}: {
  events: EventStore;
  signal: AppendSignal;
  clock: Clock;
  maxScan?: number;
}) => {
  const objectsOf = refundEventObjects(events);

  const readOnce = async (
    after: bigint | undefined,
    types: readonly OutcomeEventType[] | undefined,
    limit: number,
  ) => {
    const matched: RecordedEvent[] = [];
    let position = after;
    let scanned = 0;
    let atEnd = false;
    while (matched.length < limit && scanned < maxScan) {
      const want = types ? Math.min(500, maxScan - scanned) : limit - matched.length;
      const page = await events.readCategory(refundCategory, {
        ...(position !== undefined && { after: position }),
        limit: want,
      });
      for (const recorded of page) {
        scanned += 1;
        position = recorded.position;
        const type = outcomeEventTypeOf(recorded.type);
        if (!types || (type !== undefined && types.includes(type))) matched.push(recorded);
        if (matched.length === limit) break;
      }
      if (page.length < want) {
        atEnd = true;
        break;
      }
    }
    return { matched, position, atEnd };
  };

  return {
    read: async ({ after, types, limit, waitMs }: EventFeedQuery): Promise<EventFeedPage> => {
      const deadline = clock.now().getTime() + waitMs;
      let seen = signal.count();
      let found = await readOnce(
        after === undefined ? undefined : decodeFeedCursor(after),
        types,
        limit,
      );
      while (found.matched.length === 0 && found.atEnd) {
        const appended = await signal.wait(seen, deadline - clock.now().getTime());
        if (!appended) break;
        seen = signal.count();
        found = await readOnce(found.position, types, limit);
      }
      return {
        data: await objectsOf(found.matched),
        nextCursor: encodeFeedCursor(found.position),
      };
    },
  };
};

export type EventFeed = ReturnType<typeof createEventFeed>;
