import type { CommandContext } from '../../application/eventMetadata.js';
import type { RefundCommandHandler } from '../../application/handleRefundCommand.js';
import type { Clock } from '../../application/ports/clock.js';
import type { EventStore, RecordedEvent } from '../../application/ports/eventStore.js';
import type { OrderSequence } from '../../application/orderSequence.js';
import {
  requestRefund,
  type RefundRequestInput,
  type RequestDefaults,
} from '../../application/requestRefund.js';
import { retryRefund } from '../../application/retryRefund.js';
import type { AttemptChoices, RefundEvent } from '../../domain/index.js';
import { loadRefundEvents } from '../../projections/refundQueries.js';
import type {
  OrderRefunds,
  RefundList,
  RefundListQuery,
  RefundReadModel,
} from '../../projections/refundReadModel.js';
import { foldRefundView, type RefundView } from '../../projections/refundView.js';

/** What the HTTP routes need from the application, in resource terms. */
export type RefundApi = {
  requestRefund(
    input: RefundRequestInput,
    context: CommandContext,
  ): Promise<{ created: boolean; refund: RefundView }>;
  retryRefund(
    outRefundNo: string,
    choices: AttemptChoices,
    context: CommandContext,
  ): Promise<RefundView>;
  getRefund(outRefundNo: string): Promise<RefundView | undefined>;
  listRefunds(query: RefundListQuery): Promise<RefundList>;
  getOrderRefunds(outTradeNo: string): Promise<OrderRefunds | undefined>;
  getRefundEvents(
    outRefundNo: string,
  ): Promise<{ stream: string; events: RecordedEvent[] } | undefined>;
};

/** Wires the use cases and the read side into the routes' terms. */
export const createRefundApi = ({
  events,
  clock,
  handle,
  readModel,
  sequence,
  defaults = {},
}: {
  events: EventStore;
  clock: Clock;
  handle: RefundCommandHandler;
  readModel: RefundReadModel;
  sequence?: OrderSequence;
  defaults?: RequestDefaults;
}): RefundApi => {
  const request = requestRefund({
    handle,
    clock,
    guard: readModel.guard,
    checkOrder: readModel.checkOrder,
    ...(sequence && { sequence }),
    defaults,
  });
  const retry = retryRefund({
    handle,
    clock,
    checkOrder: readModel.checkOrder,
    ...(sequence && { sequence }),
  });
  /** After a successful command the stream holds at least its RefundRequested, so there is a view. */
  const written = (history: RefundEvent[]): RefundView => {
    const view = foldRefundView(history);
    if (!view) throw new Error('a refund stream without RefundRequested');
    return view;
  };
  return {
    requestRefund: async (input, context) => {
      const result = await request(input, context);
      if (result.outcome === 'created') return { created: true, refund: written(result.history) };
      const refund = await readModel.getRefund(result.outRefundNo);
      if (!refund) throw new Error(`refund ${result.outRefundNo} is known but cannot be read`);
      return { created: false, refund };
    },
    retryRefund: async (outRefundNo, choices, context) => {
      // Its order, to take its turn among the order's requests (none: the handler says 404).
      const outTradeNo = (await readModel.getRefund(outRefundNo))?.outTradeNo;
      return written(await retry(outRefundNo, choices, context, outTradeNo));
    },
    getRefund: readModel.getRefund,
    listRefunds: readModel.listRefunds,
    getOrderRefunds: readModel.getOrder,
    getRefundEvents: loadRefundEvents(events),
  };
};
