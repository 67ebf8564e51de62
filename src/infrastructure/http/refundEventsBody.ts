import type { RecordedEvent } from '../../application/ports/eventStore.js';

/**
 * A refund's stream as GET /v1/refunds/{outRefundNo}/events answers it, and as `refunds history
 * --json` prints it: revisions and positions as decimal strings (they are 64-bit in EventStoreDB).
 */
export const refundEventsBody = ({
  stream,
  events,
}: {
  stream: string;
  events: RecordedEvent[];
}) => ({
  stream,
  events: events.map((event) => ({
    type: event.type,
    revision: event.revision.toString(),
    position: event.position.toString(),
    recordedAt: event.recordedAt,
    data: event.data,
    metadata: event.metadata,
  })),
});
