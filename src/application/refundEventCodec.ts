import type { RefundEvent } from '../domain/index.js';
import { deterministicEventId } from './deterministicEventId.js';
import { currentSchemaVersion, type CommandContext } from './eventMetadata.js';
import type { EventToAppend, RecordedEvent } from './ports/eventStore.js';
import { refundEventSchema } from './refundEventSchemas.js';

export const refundCategory = 'refund';

export const refundStreamName = (outRefundNo: string): string => `${refundCategory}-${outRefundNo}`;

/** A refund event with where the log put it. */
export type StoredRefundEvent = {
  event: RefundEvent;
  revision: bigint;
  position: bigint;
  recordedAt: string;
};

export class CorruptEventError extends Error {
  override readonly name = 'CorruptEventError';
  readonly code = 'CORRUPT_EVENT';

  constructor(
    readonly streamName: string,
    readonly revision: bigint,
    detail: string,
  ) {
    super(`event ${revision} of ${streamName} is not a valid refund event: ${detail}`);
  }
}

/**
 * The event as the log stores it. Its id is that of the index-th event its command decided
 * (deterministicEventId), so an append retried with the same decision carries the same ids and
 * the log recognises it instead of writing it twice.
 */
export const encodeRefundEvent = (
  event: RefundEvent,
  context: CommandContext,
  { commandId, index }: { commandId: string; index: number },
): EventToAppend => ({
  id: deterministicEventId(commandId, index),
  type: event.type,
  // Event data are plain JSON objects by construction (strings, integers, nested objects).
  data: { ...event.data },
  metadata: { ...context, schemaVersion: currentSchemaVersion },
});

/**
 * Decoded events by the recorded event they came from: readers that share a page (the cached
 * category reads) validate each event once. Weak: it holds nothing the readers dropped.
 */
const decoded = new WeakMap<RecordedEvent, StoredRefundEvent>();

export const decodeRefundEvent = (recorded: RecordedEvent): StoredRefundEvent => {
  const known = decoded.get(recorded);
  if (known) return known;
  const stored = validate(recorded);
  decoded.set(recorded, stored);
  return stored;
};

const validate = (recorded: RecordedEvent): StoredRefundEvent => {
  const parsed = refundEventSchema.safeParse({ type: recorded.type, data: recorded.data });
  if (!parsed.success) {
    throw new CorruptEventError(recorded.streamName, recorded.revision, parsed.error.message);
  }
  return {
    event: parsed.data,
    revision: recorded.revision,
    position: recorded.position,
    recordedAt: recorded.recordedAt,
  };
};
