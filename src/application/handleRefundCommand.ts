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

/** Load the stream, decide, append at the expected revision; on a conflict, reload and decide again. */
export const createRefundCommandHandler =
  ({
    events,
    maxAttempts = 10,
  }: {
    events: EventStore;
    maxAttempts?: number;
  }): RefundCommandHandler =>
  async (command, context, precondition) => {
    const streamName = refundStreamName(command.data.outRefundNo);
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      const stored = (await events.readStream(streamName)).map(decodeRefundEvent);
      const history = stored.map((s) => s.event);
      const state = history.reduce(evolve, initialRefund);
      const revision = lastRevision(stored);
      await precondition?.(state);
      const decided = decide(command, state);
      if (decided.length === 0) {
        return { state, history, appended: [], revision, position: undefined };
      }

      const expected = revision ?? 'no_stream';
      const commandId = commandIdOf({ streamName, expected, command, context });
      const result = await events.append(
        streamName,
        decided.map((event, index) => encodeRefundEvent(event, context, { commandId, index })),
        expected,
      );
      if (result.ok) {
        return {
          state: decided.reduce(evolve, state),
          history: [...history, ...decided],
          appended: decided,
          revision: result.nextExpectedRevision,
          position: result.position,
        };
      }
    }
    throw new ConcurrencyConflict(streamName);
  };

const lastRevision = (stored: StoredRefundEvent[]): bigint | undefined => stored.at(-1)?.revision;
