import type { OrderGroup } from '../../application/ports/refundLogByOrder.js';

/* The SQL pieces and row shapes of sqliteRefundLogByOrder. */

export type GroupRow = [
  order: string | null,
  position: bigint,
  id: string,
  stream: string,
  revision: bigint,
  type: string,
  data: string,
  metadata: string,
  recordedAt: string,
];

/** Each stream's events by position (a hand-made log may have its revisions in another order). */
export const inPositionOrder = (group: OrderGroup): OrderGroup => {
  for (const { events } of group.streams) {
    if (events.some((event, i) => i > 0 && event.position < events[i - 1]!.position)) {
      events.sort((a, b) => (a.position < b.position ? -1 : 1));
    }
  }
  return group;
};

/** A field of an event's data as SQL sees what it names: its text, or NULL (not a string). */
export const named = (field: string) =>
  `(CASE WHEN json_type(e.data, '$.${field}') = 'text' THEN json_extract(e.data, '$.${field}') END)`;

/** `refund-<outRefundNo>`: the refund category's streams, as categoryOf has them. */
export const refundStreams = `stream >= 'refund-' AND stream < 'refund.'`;

/**
 * Each refund stream with its first event up to @head, by revision: one pass over the
 * (stream, revision) index, whose entries hold the position.
 */
export const firstEvents = `SELECT stream, min(revision), position FROM events
   WHERE ${refundStreams} AND position <= @head GROUP BY stream`;
export const refundOfStream = 'substr(e.stream, 8)';
