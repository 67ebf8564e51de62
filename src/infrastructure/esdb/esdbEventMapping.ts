import {
  jsonEvent,
  NO_STREAM,
  WrongExpectedVersionError,
  type AppendResult as EsdbAppendResult,
  type EventData,
  type Position,
} from '@eventstore/db-client';
import { z } from 'zod';
import type {
  AppendResult,
  EventToAppend,
  ExpectedRevision,
  RecordedEvent,
} from '../../application/ports/eventStore.js';

/**
 * Conversions between the EventStore port and @eventstore/db-client, kept pure so that they are
 * tested without a server. Positions: the port's position is the event's commit position in $all.
 * Since EventStoreDB 20 every append is an implicitly committed transaction in which each event's
 * commit position equals its own prepare position, so commit positions are unique per event and
 * `{ commit: p, prepare: p }` addresses the event at p exactly.
 */

export const toEsdbEvent = (event: EventToAppend): EventData =>
  // The caller's id becomes the event id: a retried append of the same ids at the same expected
  // revision is acknowledged by the server without writing the events again.
  jsonEvent({ id: event.id, type: event.type, data: event.data, metadata: event.metadata });

export const toEsdbExpectedRevision = (expected: ExpectedRevision): typeof NO_STREAM | bigint =>
  expected === 'no_stream' ? NO_STREAM : expected;

export const esdbPosition = (position: bigint): Position => ({
  commit: position,
  prepare: position,
});

/**
 * The success of an append, given the position of its last event: the commit position the server
 * reports, or, when it reports none (an append it recognised as a retry of one it already holds
 * may come back without a position), the position of the stream's last event read back.
 */
export const appendSucceeded = (
  result: EsdbAppendResult,
  lastEventPosition: () => Promise<bigint>,
): Promise<AppendResult> =>
  (result.position ? Promise.resolve(result.position.commit) : lastEventPosition()).then(
    (position) => ({ ok: true, nextExpectedRevision: result.nextExpectedRevision, position }),
  );

/** A version conflict is an expected outcome: a value, not an error. */
export const conflictOf = (error: unknown): AppendResult | undefined =>
  error instanceof WrongExpectedVersionError
    ? { ok: false, reason: 'conflict', actualRevision: error.actualVersion }
    : undefined;

const jsonObject = z.record(z.string(), z.json());
const esdbPositionSchema = z.object({ commit: z.bigint(), prepare: z.bigint() });

/** What the adapter reads of a recorded event; the client types data as "JSON or bytes". */
const recordSchema = z.object({
  streamId: z.string(),
  id: z.string(),
  revision: z.bigint(),
  type: z.string(),
  isJson: z.literal(true, { error: 'the event is not JSON' }),
  created: z.date(),
  data: jsonObject,
  metadata: jsonObject.optional(),
  position: esdbPositionSchema.optional(),
});

export class UnreadableEsdbEvent extends Error {
  override readonly name = 'UnreadableEsdbEvent';
}

/** The client's resolved event (from readStream, readAll or a subscription) as the port's. */
export const toRecordedEvent = (resolved: {
  event?: unknown;
  commitPosition?: bigint;
}): RecordedEvent => {
  const parsed = recordSchema.safeParse(resolved.event);
  if (!parsed.success) {
    throw new UnreadableEsdbEvent(
      `unreadable EventStoreDB event: ${z.prettifyError(parsed.error)}`,
    );
  }
  const record = parsed.data;
  // Servers from 22.6 put the position on every recorded event; $all reads also carry it beside.
  const position = record.position?.commit ?? resolved.commitPosition;
  if (position === undefined) {
    throw new UnreadableEsdbEvent(
      `event ${record.revision} of ${record.streamId} has no position (server before 22.6?)`,
    );
  }
  return {
    id: record.id,
    streamName: record.streamId,
    type: record.type,
    revision: record.revision,
    position,
    recordedAt: record.created.toISOString(),
    data: record.data,
    metadata: record.metadata ?? {},
  };
};

/** The commit position of any event of $all (system events included), for scanning. */
export const commitPositionOf = (resolved: {
  event?: { position?: Position | undefined } | undefined;
  commitPosition?: bigint | undefined;
}): bigint => {
  const position = resolved.event?.position?.commit ?? resolved.commitPosition;
  if (position === undefined) throw new UnreadableEsdbEvent('an event of $all has no position');
  return position;
};

/**
 * Whether an event of $all belongs to the category: its stream is `<category>-…` and it is not a
 * system event ($streamDeleted, the tombstone of a hard-deleted stream, lives in the stream itself).
 */
export const inCategory = (
  category: string,
  event: { streamId: string; type: string } | undefined,
): boolean =>
  event !== undefined && event.streamId.startsWith(`${category}-`) && !event.type.startsWith('$');
