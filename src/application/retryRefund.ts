import type { AttemptChoices, RefundEvent } from '../domain/index.js';
import type { CommandContext } from './eventMetadata.js';
import type { RefundCommandHandler } from './handleRefundCommand.js';
import type { Clock } from './ports/clock.js';

/**
 * A new attempt with the same out_refund_no and amounts, after a request-stage failure; it may
 * draw from another funds account than the refund's (for this attempt only).
 */
export const retryRefund =
  ({ handle, clock }: { handle: RefundCommandHandler; clock: Clock }) =>
  async (
    outRefundNo: string,
    choices: AttemptChoices,
    context: CommandContext,
  ): Promise<RefundEvent[]> => {
    const result = await handle(
      {
        type: 'RetryRefund',
        data: { ...choices, outRefundNo, requestedAt: clock.now().toISOString() },
      },
      context,
    );
    return result.history;
  };
