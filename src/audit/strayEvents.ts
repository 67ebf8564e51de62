import { compareCodePoints } from '../application/compareCodePoints.js';
import type { JsonValue } from '../application/ports/eventStore.js';
import type { OrderGroup, RefundLogByOrder } from '../application/ports/refundLogByOrder.js';
import { outRefundNoOfStream } from '../application/refundEventCodec.js';

/** The orders and refunds whose documents and tallies events of other streams touch. */
export type Touched = { orders: Set<string>; refunds: Set<string> };

/** A fold met an event of another order or refund than its stream's (see RefundLogByOrder). */
export class StrayMet extends Error {}

const named = (value: JsonValue | undefined): string | null =>
  typeof value === 'string' ? value : null;

/** Everything the stray events touch: their stream's order and refund, and the ones they name. */
export const touchedByStrays = async (log: RefundLogByOrder): Promise<Touched> => {
  const touched: Touched = { orders: new Set(), refunds: new Set() };
  const add = (set: Set<string>, name: string | null | undefined) => {
    if (name !== null && name !== undefined) set.add(name);
  };
  for await (const page of log.strays()) {
    for (const { event, order } of page) {
      add(touched.orders, order);
      add(touched.orders, named(event.data['outTradeNo']));
      add(touched.refunds, outRefundNoOfStream(event.streamName));
      add(touched.refunds, named(event.data['outRefundNo']));
    }
  }
  return touched;
};

/** The refunds of a group's streams: the documents of theirs it replays. */
export const refundsOf = (group: OrderGroup): string[] =>
  group.streams.map(({ streamName }) => outRefundNoOfStream(streamName) ?? streamName);

/** Two ascending lists of ids as one, without repeats: pages of one, and the other whole. */
export const mergeAscending = async function* (pages: AsyncIterable<string[]>, more: string[]) {
  let i = 0;
  let last: string | undefined;
  const merged: string[] = [];
  const take = (id: string) => {
    if (id !== last) merged.push(id);
    last = id;
  };
  for await (const page of pages) {
    for (const id of page) {
      while (i < more.length && compareCodePoints(more[i]!, id) < 0) take(more[i++]!);
      take(id);
    }
    yield merged.splice(0);
  }
  while (i < more.length) take(more[i++]!);
  yield merged.splice(0);
};
