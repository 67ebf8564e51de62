import {
  BACKWARDS,
  END,
  excludeSystemEvents,
  FORWARDS,
  START,
  StreamNotFoundError,
  streamNameFilter,
  type AllStreamResolvedEvent,
  type EventStoreDBClient,
} from '@eventstore/db-client';
import type { EventStore, RecordedEvent } from '../../application/ports/eventStore.js';
import type { Log } from '../../application/ports/log.js';
import type { StoreHealth } from '../../application/ports/storeHealth.js';
import { createAppendListeners } from '../stores/appendListeners.js';
import { TimedOut, withTimeout } from '../stores/withTimeout.js';
import { watchAppends, type AppendWatch } from './appendWatch.js';
import { scanCategoryForward, scanCategoryHead, type ReadAllChunk } from './categoryScan.js';
import { esdbHealthReason, esdbStoreError } from './esdbErrors.js';
import {
  appendSucceeded,
  conflictOf,
  esdbPosition,
  toEsdbEvent,
  toEsdbExpectedRevision,
  toRecordedEvent,
} from './esdbEventMapping.js';

export type EsdbEventStoreOptions = {
  client: EventStoreDBClient;
  /** Where the server is, for messages (no credentials): see storeTarget. */
  target: string;
  log: Log;
  random?: () => number;
  /**
   * Categories whose appends wake this process's subscribers (the live subscription's
   * streamNameFilter); all non-system events when omitted.
   */
  wakeOnCategories?: readonly string[];
  /** Events of $all read per round trip while scanning for a category. */
  scanChunkSize?: number;
  healthTimeoutMs?: number;
};

const collect = async <T>(stream: AsyncIterable<T>): Promise<T[]> => {
  const items: T[] = [];
  for await (const item of stream) items.push(item);
  return items;
};

/**
 * The event log on EventStoreDB. Streams are named as given (`refund-<outRefundNo>`), revisions
 * and positions are the server's (64-bit, as bigint). The client is the caller's: it is shared
 * with the persistent subscription of the gateway reactor, and disposed by close().
 */
export const createEsdbEventStore = ({
  client,
  target,
  log,
  random = Math.random,
  wakeOnCategories,
  scanChunkSize = 1000,
  healthTimeoutMs = 2000,
}: EsdbEventStoreOptions): EventStore => {
  const listeners = createAppendListeners();
  let watch: AppendWatch | undefined;
  let closed = false;

  const failure = (error: unknown): unknown => esdbStoreError(error, target);

  const readChunk =
    (direction: typeof FORWARDS | typeof BACKWARDS): ReadAllChunk =>
    (from, count) =>
      collect<AllStreamResolvedEvent>(
        client.readAll({
          direction,
          fromPosition:
            from !== undefined ? esdbPosition(from) : direction === FORWARDS ? START : END,
          maxCount: count,
          resolveLinkTos: false,
        }),
      );

  const lastPosition = async (streamName: string): Promise<bigint> => {
    const [last] = await collect(
      client.readStream(streamName, { direction: BACKWARDS, fromRevision: END, maxCount: 1 }),
    );
    if (!last) throw new Error(`${streamName} is empty right after an append to it`);
    return toRecordedEvent(last).position;
  };

  const startWatch = (): AppendWatch =>
    watchAppends({
      subscribe: () =>
        client.subscribeToAll({
          fromPosition: END,
          filter: wakeOnCategories
            ? streamNameFilter({ prefixes: wakeOnCategories.map((category) => `${category}-`) })
            : excludeSystemEvents(),
        }),
      wake: listeners.notify,
      log,
      random,
    });

  return {
    append: async (streamName, events, expected) => {
      if (closed) throw new Error('event store is closed');
      if (events.length === 0) throw new Error('nothing to append');
      try {
        const result = await client.appendToStream(streamName, events.map(toEsdbEvent), {
          expectedRevision: toEsdbExpectedRevision(expected),
        });
        // Wakes this process's subscribers at once; other processes learn of it from their live
        // subscription (or their next poll).
        listeners.notify();
        return await appendSucceeded(result, () => lastPosition(streamName));
      } catch (error) {
        const conflict = conflictOf(error);
        if (conflict) return conflict;
        throw failure(error);
      }
    },
    readStream: async (streamName): Promise<RecordedEvent[]> => {
      try {
        return (await collect(client.readStream(streamName))).map(toRecordedEvent);
      } catch (error) {
        if (error instanceof StreamNotFoundError) return [];
        throw failure(error);
      }
    },
    readCategory: async (category, { after, limit }) => {
      try {
        const found = await scanCategoryForward({
          readChunk: readChunk(FORWARDS),
          category,
          after,
          limit,
          chunkSize: scanChunkSize,
        });
        return found.map(toRecordedEvent);
      } catch (error) {
        throw failure(error);
      }
    },
    headPosition: async (category) => {
      try {
        return await scanCategoryHead({
          readChunk: readChunk(BACKWARDS),
          category,
          chunkSize: Math.min(scanChunkSize, 100),
        });
      } catch (error) {
        throw failure(error);
      }
    },
    onAppended: (listener) => {
      if (!closed) watch ??= startWatch();
      return listeners.add(listener);
    },
    health: async (): Promise<StoreHealth> => {
      if (closed) return { ok: false, reason: 'closed' };
      // Reads of $all ignore the deadline option (the client streams them without one), so
      // the health check bounds its own wait.
      const read = client.readAll({ direction: BACKWARDS, fromPosition: END, maxCount: 1 });
      try {
        await withTimeout(collect(read), healthTimeoutMs, 'the server');
        return { ok: true };
      } catch (error) {
        void read.cancel().catch(() => undefined);
        return {
          ok: false,
          reason:
            error instanceof TimedOut
              ? `EventStoreDB at ${target} unreachable: ${error.message}`
              : esdbHealthReason(error, target),
        };
      }
    },
    close: async () => {
      closed = true;
      await watch?.stop();
      await client.dispose();
    },
  };
};
