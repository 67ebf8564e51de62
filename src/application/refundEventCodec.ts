import type { RefundEvent } from '../domain/index.js';
import { deterministicEventId } from './deterministicEventId.js';
import { currentSchemaVersion, type CommandContext } from './eventMetadata.js';
import type { EventToAppend, RecordedEvent } from './ports/eventStore.js';
import { refundEventSchema } from './refundEventSchemas.js';

export const refundCategory = 'refund';

export const refundStreamName = (outRefundNo: string): string => `${refundCategory}-${outRefundNo}`;

/** The refund a stream is for: the inverse of refundStreamName; undefined for other streams. */
export const outRefundNoOfStream = (streamName: string): string | undefined =>
  streamName.startsWith(`${refundCategory}-`)
    ? streamName.slice(refundCategory.length + 1)
    : undefined;

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

/** An event that would not read back (DESIGN §6): it is never appended. */
export class UnreadableEventError extends Error {
  override readonly name = 'UnreadableEventError';
  readonly code = 'UNREADABLE_EVENT';

  constructor(type: string, detail: string) {
    super(`refusing to append a ${type} the service could not read back: ${detail}`);
  }
}

/**
 * The event as it is appended, checked with the schema that decodes it, so that whatever the
 * log holds can be read back. What is stored is what the schema reads: no field it would drop.
 * Its id is that of the index-th event its command decided (deterministicEventId), so an append
 * retried with the same decision carries the same ids and the log recognises it instead of
 * writing it twice.
 */
export const encodeRefundEvent = (
  event: RefundEvent,
  context: CommandContext,
  { commandId, index }: { commandId: string; index: number },
): EventToAppend => {
  const parsed = refundEventSchema.safeParse(event);
  if (!parsed.success) throw new UnreadableEventError(event.type, parsed.error.message);
  return {
    id: deterministicEventId(commandId, index),
    type: parsed.data.type,
    // Event data are plain JSON objects by construction (strings, integers, nested objects).
    data: { ...parsed.data.data },
    metadata: { ...context, schemaVersion: currentSchemaVersion },
  };
};

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

/**
 * The event, or the error that says why it cannot be read: for readers that skip such events.
 * `shared: false`: the reader shares its events with no other (the audit), so remembering the
 * decoded event would only make work for the garbage collector.
 */
export const decodeOrCorrupt = (
  recorded: RecordedEvent,
  { shared = true }: { shared?: boolean } = {},
): RefundEvent | CorruptEventError => {
  try {
    return (shared ? decodeRefundEvent(recorded) : validate(recorded)).event;
  } catch (error) {
    if (error instanceof CorruptEventError) return error;
    throw error;
  }
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
