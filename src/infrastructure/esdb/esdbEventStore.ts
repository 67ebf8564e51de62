import {
  BACKWARDS,
  END,
  excludeSystemEvents,
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
import { readOnlyRefusal } from '../stores/readOnlyRefusal.js';
import { checkCategory } from '../stores/streamCategory.js';
import { TimedOut, withTimeout } from '../stores/withTimeout.js';
import { appendReadBack } from './appendReadBack.js';
import { watchAppends, type AppendWatch } from './appendWatch.js';
import { createCategoryReader, scanCategoryHead, type ReadAllChunk } from './categoryScan.js';
import { esdbHealthReason, esdbStoreError } from './esdbErrors.js';
import {
  appendOutcome,
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
  /** Events of $all read per round trip while looking back for a category's last event. */
  headChunkSize?: number;
  /** How long a read of a category may take to reach its limit or the head of the log. */
  readTimeoutMs?: number;
  healthTimeoutMs?: number;
  /** For the read-only commands: every append is refused before it reaches the server. */
  readonly?: boolean;
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
  headChunkSize = 100,
  readTimeoutMs = 30_000,
  healthTimeoutMs = 2000,
  readonly = false,
}: EsdbEventStoreOptions): EventStore => {
  const listeners = createAppendListeners();
  let watch: AppendWatch | undefined;
  let closed = false;

  const failure = (error: unknown): unknown => esdbStoreError(error, target);

  const readBackwards: ReadAllChunk = (from, count) =>
    collect<AllStreamResolvedEvent>(
      client.readAll({
        direction: BACKWARDS,
        fromPosition: from !== undefined ? esdbPosition(from) : END,
        maxCount: count,
        resolveLinkTos: false,
      }),
    );

  // Filtered by the server: only the category's events (and its checkpoints) come over the wire.
  const readCategory = createCategoryReader({
    timeoutMs: readTimeoutMs,
    subscribe: (category, from, checkpoint) =>
      client.subscribeToAll({
        fromPosition: from ?? START,
        resolveLinkTos: false,
        filter: streamNameFilter({
          prefixes: [`${category}-`],
          checkpointReached: (_subscription, position) => checkpoint(position),
        }),
      }),
  });

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
      if (readonly) return readOnlyRefusal('event store');
      if (events.length === 0) throw new Error('nothing to append');
      try {
        const result = await client.appendToStream(streamName, events.map(toEsdbEvent), {
          expectedRevision: toEsdbExpectedRevision(expected),
        });
        // Wakes this process's subscribers at once; other processes learn of it from their live
        // subscription (or their next poll).
        if (result.success) listeners.notify();
        return await appendOutcome(result, appendReadBack(client, streamName));
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
      checkCategory(category);
      try {
        return (await readCategory(category, after, limit)).map(toRecordedEvent);
      } catch (error) {
        throw failure(error);
      }
    },
    headPosition: async (category) => {
      checkCategory(category);
      try {
        return await scanCategoryHead({
          readChunk: readBackwards,
          category,
          chunkSize: headChunkSize,
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
