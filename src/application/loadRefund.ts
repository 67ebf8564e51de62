import { evolve, initialRefund, type Refund } from '../domain/index.js';
import type { EventStore } from './ports/eventStore.js';
import { decodeRefundEvent, refundStreamName } from './refundEventCodec.js';

/** The refund's current state, from its stream (the write side's truth). */
export const loadRefund =
  (events: EventStore) =>
  async (outRefundNo: string): Promise<Refund> =>
    (await events.readStream(refundStreamName(outRefundNo)))
      .map((recorded) => decodeRefundEvent(recorded).event)
      .reduce(evolve, initialRefund);
