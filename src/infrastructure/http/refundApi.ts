import type { CommandContext } from '../../application/eventMetadata.js';
import { createRefundCommandHandler } from '../../application/handleRefundCommand.js';
import type { Clock } from '../../application/ports/clock.js';
import type { EventStore, RecordedEvent } from '../../application/ports/eventStore.js';
import { requestRefund, type RefundRequestInput } from '../../application/requestRefund.js';
import { retryRefund } from '../../application/retryRefund.js';
import type { RefundEvent } from '../../domain/index.js';
import { loadRefundEvents, loadRefundView } from '../../projections/refundQueries.js';
import { foldRefundView, type RefundView } from '../../projections/refundView.js';

/** What the HTTP routes need from the application, in resource terms. */
export type RefundApi = {
  requestRefund(
    input: RefundRequestInput,
    context: CommandContext,
  ): Promise<{ created: boolean; refund: RefundView }>;
  retryRefund(outRefundNo: string, context: CommandContext): Promise<RefundView>;
  getRefund(outRefundNo: string): Promise<RefundView | undefined>;
  getRefundEvents(
    outRefundNo: string,
  ): Promise<{ stream: string; events: RecordedEvent[] } | undefined>;
};

/** Wires the use cases and the read side into the routes' terms. */
export const createRefundApi = ({
  events,
  clock,
}: {
  events: EventStore;
  clock: Clock;
}): RefundApi => {
  const handle = createRefundCommandHandler({ events });
  const request = requestRefund({ handle, clock });
  const retry = retryRefund({ handle, clock });
  return {
    requestRefund: async (input, context) => {
      const { created, history } = await request(input, context);
      return { created, refund: viewOf(history) };
    },
    retryRefund: async (outRefundNo, context) => viewOf(await retry(outRefundNo, context)),
    getRefund: loadRefundView(events),
    getRefundEvents: loadRefundEvents(events),
  };
};

/** After a successful command the stream holds at least its RefundRequested, so there is a view. */
const viewOf = (history: RefundEvent[]): RefundView => {
  const view = foldRefundView(history);
  if (!view) throw new Error('a refund stream without RefundRequested');
  return view;
};
