import type { AttemptChoices, RefundEvent, RefundTerms } from '../domain/index.js';
import type { CommandContext } from './eventMetadata.js';
import type { Precondition, RefundCommandHandler } from './handleRefundCommand.js';
import type { OrderSequence } from './orderSequence.js';
import type { Clock } from './ports/clock.js';

/**
 * A new attempt with the same out_refund_no and amounts, after a request-stage failure; it may
 * draw from another funds account than the refund's (for this attempt only). A failed refund no
 * longer counts against its order, so another may have taken its room meanwhile: the retry is
 * checked against the order like a new refund, among the order's other requests.
 */
export const retryRefund =
  ({
    handle,
    clock,
    checkOrder,
    sequence = (_outTradeNo, work) => work(),
  }: {
    handle: RefundCommandHandler;
    clock: Clock;
    /** Checks the retried refund's terms against its order (the ledger); throws to refuse it. */
    checkOrder?: (terms: RefundTerms) => Promise<void>;
    sequence?: OrderSequence;
  }) =>
  async (
    outRefundNo: string,
    choices: AttemptChoices,
    context: CommandContext,
    outTradeNo?: string,
  ): Promise<RefundEvent[]> => {
    // Only a refund the decider will retry is checked: in any other state it refuses the retry.
    const precondition: Precondition | undefined = checkOrder
      ? (state) =>
          state.status === 'FAILED' && state.stage === 'request'
            ? checkOrder(state.terms)
            : undefined
      : undefined;
    const retry = () =>
      handle(
        {
          type: 'RetryRefund',
          data: { ...choices, outRefundNo, requestedAt: clock.now().toISOString() },
        },
        context,
        precondition,
      );
    const result = await (outTradeNo === undefined ? retry() : sequence(outTradeNo, retry));
    return result.history;
  };
