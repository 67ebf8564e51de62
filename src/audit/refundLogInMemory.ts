import { compareCodePoints } from '../application/compareCodePoints.js';
import type { EventStore, JsonValue, RecordedEvent } from '../application/ports/eventStore.js';
import type {
  OrderGroup,
  RefundLogByOrder,
  StreamEvents,
} from '../application/ports/refundLogByOrder.js';
import { readCategoryUpTo } from '../application/readCategoryUpTo.js';
import { outRefundNoOfStream, refundCategory } from '../application/refundEventCodec.js';

/** What a value of an event's data names: a string, or nothing. */
const named = (value: JsonValue | undefined): string | null =>
  typeof value === 'string' ? value : null;

const byKey = (a: string | null, b: string | null): number =>
  a === null ? (b === null ? 0 : -1) : b === null ? 1 : compareCodePoints(a, b);

/**
 * The refund log up to `head` grouped by order in memory, as RefundLogByOrder says: for tests
 * and logs that fit in memory (the audit's default when it is given no adapter that sorts in a
 * store). Reads the category page by page, as every reader of the log does.
 */
export const refundLogInMemory = async (
  events: EventStore,
  head: bigint | undefined,
  { pageSize = 1000 }: { pageSize?: number } = {},
): Promise<RefundLogByOrder> => {
  const byStream = new Map<string, RecordedEvent[]>();
  const all: RecordedEvent[] = [];
  for await (const page of readCategoryUpTo(events, refundCategory, { head, pageSize })) {
    for (const recorded of page) {
      all.push(recorded);
      const stream = byStream.get(recorded.streamName);
      if (stream) stream.push(recorded);
      else byStream.set(recorded.streamName, [recorded]);
    }
  }
  const orderOf = new Map<string, string | null>();
  const groups = new Map<string | null, StreamEvents[]>();
  for (const streamName of [...byStream.keys()].sort(compareCodePoints)) {
    const streamEvents = byStream.get(streamName) ?? [];
    const first = streamEvents.reduce((a, b) => (b.revision < a.revision ? b : a));
    const order = named(first.data['outTradeNo']);
    orderOf.set(streamName, order);
    const group = groups.get(order);
    if (group) group.push({ streamName, events: streamEvents });
    else groups.set(order, [{ streamName, events: streamEvents }]);
  }
  const ordered: OrderGroup[] = [...groups]
    .sort(([a], [b]) => byKey(a, b))
    .map(([order, streams]) => ({ order, streams }));
  const refundOf = (streamName: string) => outRefundNoOfStream(streamName) ?? null;
  const isStray = (recorded: RecordedEvent) =>
    named(recorded.data['outTradeNo']) !== orderOf.get(recorded.streamName) ||
    named(recorded.data['outRefundNo']) !== refundOf(recorded.streamName);

  return {
    head,
    events: all.length,
    groups: async function* () {
      yield* ordered;
    },
    keys: async function* (kind) {
      yield kind === 'refunds'
        ? ordered
            .flatMap(({ streams }) => streams.map(({ streamName }) => refundOf(streamName) ?? ''))
            .sort(compareCodePoints)
        : ordered.flatMap(({ order }) => (order === null ? [] : [order]));
    },
    strays: async function* () {
      yield all
        .filter(isStray)
        .map((event) => ({ event, order: orderOf.get(event.streamName) ?? null }));
    },
    streamsNaming: async ({ orders, refunds }) => {
      const wanted = { orders: new Set(orders), refunds: new Set(refunds) };
      const names = (recorded: RecordedEvent) => {
        const order = named(recorded.data['outTradeNo']);
        const refund = named(recorded.data['outRefundNo']);
        return (
          (order !== null && wanted.orders.has(order)) ||
          (refund !== null && wanted.refunds.has(refund))
        );
      };
      return [...byStream]
        .filter(
          ([streamName, streamEvents]) =>
            wanted.refunds.has(outRefundNoOfStream(streamName) ?? '') || streamEvents.some(names),
        )
        .sort(([a], [b]) => compareCodePoints(a, b))
        .map(([streamName, streamEvents]) => ({ streamName, events: streamEvents }));
    },
    close: async () => undefined,
  };
};
