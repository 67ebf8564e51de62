import {
  decide,
  evolve,
  initialRefund,
  type Refund,
  type RefundCommand,
  type RefundEvent,
} from '../domain/index.js';
import { commandIdOf } from './deterministicEventId.js';
import type { CommandContext } from './eventMetadata.js';
import type { EventStore } from './ports/eventStore.js';
import type { StreamStateCache } from './streamStateCache.js';
import {
  decodeRefundEvent,
  encodeRefundEvent,
  refundStreamName,
  type StoredRefundEvent,
} from './refundEventCodec.js';

export type HandledCommand = {
  /** State after the command. */
  state: Refund;
  /** Every event of the stream after the command, in order. */
  history: RefundEvent[];
  /** What this command appended; empty when it was already reflected (a no-op). */
  appended: RefundEvent[];
  /** Revision of the stream's last event after the command; undefined when the stream is empty. */
  revision: bigint | undefined;
  /** Log position of what the command appended; undefined when it appended nothing. */
  position: bigint | undefined;
};

/**
 * Checked after the stream is loaded and before the decision is appended, e.g. the order
 * ledger for a new refund. Throws to refuse the command.
 */
export type Precondition = (state: Refund) => Promise<void> | void;

/** Another writer kept winning the race for the same stream; the caller may try again. */
export class ConcurrencyConflict extends Error {
  override readonly name = 'ConcurrencyConflict';
  readonly code = 'CONCURRENCY_CONFLICT';

  constructor(readonly streamName: string) {
    super(`too many concurrent writes to ${streamName}; try again`);
  }
}

export type RefundCommandHandler = (
  command: RefundCommand,
  context: CommandContext,
  precondition?: Precondition,
) => Promise<HandledCommand>;

/**
 * Load the stream, decide, append at the expected revision; on a conflict, reload and decide again.
 * With a cache, a stream this process handled lately is not read again: a decision made on the
 * cached state counts only if its append succeeds at the cached revision. A conflict, or a
 * decision that would not append (a no-op, a refusal, a failed precondition), evicts the entry
 * and is made again on the stream as stored, so a stale entry never answers a command.
 */
export const createRefundCommandHandler =
  ({
    events,
    cache,
    maxAttempts = 10,
  }: {
    events: EventStore;
    cache?: StreamStateCache;
    maxAttempts?: number;
  }): RefundCommandHandler =>
  async (command, context, precondition) => {
    const streamName = refundStreamName(command.data.outRefundNo);
    let cached = cache?.get(streamName);
    // Attempt 0 is the one on the cached state; it does not count against maxAttempts.
    for (let attempt = cached ? 0 : 1; attempt <= maxAttempts; attempt++) {
      const fromCache = cached !== undefined;
      const { history, state, revision } = cached ?? (await readStream(events, streamName));
      cached = undefined;
      let decided: RefundEvent[];
      try {
        await precondition?.(state);
        decided = decide(command, state);
      } catch (error) {
        if (!fromCache) throw error;
        cache?.evict(streamName);
        continue;
      }
      if (decided.length === 0) {
        if (fromCache) {
          cache?.evict(streamName);
          continue;
        }
        if (revision !== undefined) cache?.set(streamName, { history, state, revision });
        return { state, history: [...history], appended: [], revision, position: undefined };
      }

      const expected = revision ?? 'no_stream';
      const commandId = commandIdOf({ streamName, expected, command, context });
      const result = await events.append(
        streamName,
        decided.map((event, index) => encodeRefundEvent(event, context, { commandId, index })),
        expected,
      );
      if (result.ok) {
        const after = {
          state: decided.reduce(evolve, state),
          history: [...history, ...decided],
          revision: result.nextExpectedRevision,
        };
        cache?.set(streamName, after);
        return {
          ...after,
          history: [...after.history],
          appended: decided,
          position: result.position,
        };
      }
      cache?.evict(streamName);
    }
    throw new ConcurrencyConflict(streamName);
  };

/** The stream as stored: its events decoded (validated at the edge), folded, its last revision. */
const readStream = async (
  events: EventStore,
  streamName: string,
): Promise<{ history: RefundEvent[]; state: Refund; revision: bigint | undefined }> => {
  const stored = (await events.readStream(streamName)).map(decodeRefundEvent);
  const history = stored.map((s) => s.event);
  return {
    history,
    state: history.reduce(evolve, initialRefund),
    revision: lastRevision(stored),
  };
};

const lastRevision = (stored: StoredRefundEvent[]): bigint | undefined => stored.at(-1)?.revision;
