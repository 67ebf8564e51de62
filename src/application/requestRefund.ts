import { refundTerms, type RefundEvent, type RefundTerms } from '../domain/index.js';
import type { CommandContext } from './eventMetadata.js';
import type { Precondition, RefundCommandHandler } from './handleRefundCommand.js';
import type { Clock } from './ports/clock.js';

/** POST /v1/refunds as the upstream service sends it, before the defaults of DESIGN §5. */
export type RefundRequestInput = {
  outTradeNo: string;
  outRefundNo?: string;
  totalFee: number;
  refundFee?: number;
  reason?: string;
  transactionId?: string;
};

export type RequestRefundResult = {
  /** false: an identical request was already recorded, nothing new was written. */
  created: boolean;
  history: RefundEvent[];
};

/** outRefundNo defaults to outTradeNo (the full-refund shorthand), refundFee to totalFee. */
export const withDefaults = (input: RefundRequestInput): RefundTerms =>
  refundTerms({
    ...input,
    outRefundNo: input.outRefundNo ?? input.outTradeNo,
    refundFee: input.refundFee ?? input.totalFee,
  });

export const requestRefund =
  ({
    handle,
    clock,
    checkOrder,
  }: {
    handle: RefundCommandHandler;
    clock: Clock;
    /** Checks a new refund against its order (the ledger); throws to refuse it. */
    checkOrder?: (terms: RefundTerms) => Promise<void>;
  }) =>
  async (input: RefundRequestInput, context: CommandContext): Promise<RequestRefundResult> => {
    const terms = withDefaults(input);
    // Repeats and conflicting reuses of an outRefundNo are answered from the stream first
    // (DESIGN §5 order); only a refund that does not exist yet is checked against its order.
    const precondition: Precondition | undefined = checkOrder
      ? (state) => (state.status === 'NONE' ? checkOrder(terms) : undefined)
      : undefined;
    const result = await handle(
      { type: 'RequestRefund', data: { ...terms, requestedAt: clock.now().toISOString() } },
      context,
      precondition,
    );
    return { created: result.appended.length > 0, history: result.history };
  };
