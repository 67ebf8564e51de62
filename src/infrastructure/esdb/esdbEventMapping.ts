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
import { categoryOf } from '../stores/streamCategory.js';

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
 * The port's outcome of an append the client resolved. `success: false` is a version conflict
 * (the only failure the client resolves instead of throwing, and only when throwOnAppendFailure
 * is off, which connectEsdb refuses): the client's revision in it cannot be trusted, so the
 * stream's own is read back. On success the position is the one the server reports, or, when it
 * reports none (an append it recognised as a retry of one it holds may come back without), that
 * of the event at the resulting revision, read back.
 */
export const appendOutcome = async (
  result: EsdbAppendResult,
  readBack: {
    positionAt: (revision: bigint) => Promise<bigint>;
    currentRevision: () => Promise<bigint | 'no_stream'>;
  },
): Promise<AppendResult> => {
  if (!result.success) {
    return { ok: false, reason: 'conflict', actualRevision: await readBack.currentRevision() };
  }
  return {
    ok: true,
    nextExpectedRevision: result.nextExpectedRevision,
    position: result.position?.commit ?? (await readBack.positionAt(result.nextExpectedRevision)),
  };
};

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
 * Whether an event of $all belongs to the category (streamCategory's rule, the one every adapter
 * follows) and is not a system event ($streamDeleted, the tombstone of a hard-deleted stream,
 * lives in the stream itself).
 */
export const inCategory = (
  category: string,
  event: { streamId: string; type: string } | undefined,
): boolean =>
  event !== undefined && categoryOf(event.streamId) === category && !event.type.startsWith('$');
