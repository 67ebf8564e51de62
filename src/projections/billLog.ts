import type { BillLog } from '../application/bills/billLog.js';
import type { DocumentCollection } from '../application/ports/documentStore.js';
import type { EventStore } from '../application/ports/eventStore.js';
import { queryPages } from '../application/queryPages.js';
import { refundStreamName, decodeOrCorrupt } from '../application/refundEventCodec.js';
import { eventMetadataSchema } from '../application/refundEventSchemas.js';
import type { RefundEvent } from '../domain/index.js';
import { evolveBillExpectation, type BillExpectation } from './billExpectation.js';

const pageSize = 1000;

/** The log as the bill reconciliation reads it: the bill_expectation read model, and streams. */
export const billLogOf = ({
  events,
  collection,
}: {
  events: EventStore;
  /** The read model's current generation. */
  collection: () => DocumentCollection<BillExpectation>;
}): BillLog => ({
  find: (outRefundNos) => collection().findBy('outRefundNo', outRefundNos),
  takenOn: async function* (date) {
    const pages = queryPages(collection, {
      where: { billDate: date },
      orderBy: 'outRefundNo',
      direction: 'asc',
      limit: pageSize,
    });
    for await (const page of pages) yield* page;
  },
  fromStream: async (outRefundNo) => {
    const recorded = await events.readStream(refundStreamName(outRefundNo));
    const [first] = recorded;
    if (first === undefined) return undefined;
    // An event that cannot be read is skipped, as the projections skip it.
    const refundEvents = recorded
      .map((event) => decodeOrCorrupt(event))
      .filter((event): event is RefundEvent => !(event instanceof Error));
    const refund = refundEvents.reduce<BillExpectation | null>(evolveBillExpectation, null);
    if (refund === null) return undefined;
    const source = eventMetadataSchema.shape.source.safeParse(first.metadata['source']);
    return { refund, ...(source.success && { recordedBy: source.data }) };
  },
});
