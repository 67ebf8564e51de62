import {
  refundNoConflict,
  refundTerms,
  requestFingerprint,
  type RefundAccount,
  type RefundEvent,
  type RefundTerms,
} from '../domain/index.js';
import type { CommandContext } from './eventMetadata.js';
import type { Precondition, RefundCommandHandler } from './handleRefundCommand.js';
import type { OrderSequence } from './orderSequence.js';
import type { Clock } from './ports/clock.js';
import type { IdempotencyGuard } from './ports/idempotencyGuard.js';

/** The terms withDefaults can fill in (DESIGN §5). */
type Defaulted = 'outRefundNo' | 'refundFee';

/** POST /v1/refunds as the upstream service sends it, before the defaults of DESIGN §5. */
export type RefundRequestInput = Omit<RefundTerms, Defaulted> &
  Partial<Pick<RefundTerms, Defaulted>>;

export type RequestRefundResult =
  | { outcome: 'created'; outRefundNo: string; history: RefundEvent[] }
  /** An identical request was already recorded; nothing new was written. */
  | { outcome: 'repeated'; outRefundNo: string };

/** What the service fills in when a request leaves it out (DESIGN §5). */
export type RequestDefaults = {
  /** WECHAT_REFUND_ACCOUNT; unset: none is sent (WeChat's default, the unsettled funds). */
  refundAccount?: RefundAccount;
};

/**
 * outRefundNo defaults to outTradeNo (the full-refund shorthand), refundFee to totalFee,
 * refundAccount to the configured one.
 */
export const withDefaults = (
  input: RefundRequestInput,
  defaults: RequestDefaults = {},
): RefundTerms =>
  refundTerms({
    ...defaults,
    ...input,
    outRefundNo: input.outRefundNo ?? input.outTradeNo,
    refundFee: input.refundFee ?? input.totalFee,
  });

export const requestRefund =
  ({
    handle,
    clock,
    guard,
    checkOrder,
    sequence = (_outTradeNo, work) => work(),
    defaults = {},
  }: {
    handle: RefundCommandHandler;
    clock: Clock;
    /** Answers repeats without touching the write side, when it already knows the request. */
    guard?: IdempotencyGuard;
    /** Checks a new refund against its order (the ledger); throws to refuse it. */
    checkOrder?: (terms: RefundTerms) => Promise<void>;
    /** Runs the requests of one order one after another, each check seeing the earlier ones. */
    sequence?: OrderSequence;
    defaults?: RequestDefaults;
  }) =>
  async (input: RefundRequestInput, context: CommandContext): Promise<RequestRefundResult> => {
    const terms = withDefaults(input, defaults);
    const known = await guard?.requestFingerprint(terms.outRefundNo);
    if (known !== undefined) {
      if (known === requestFingerprint(terms)) {
        return { outcome: 'repeated', outRefundNo: terms.outRefundNo };
      }
      throw refundNoConflict(terms.outRefundNo);
    }
    // Repeats and conflicting reuses of an outRefundNo are answered from the stream first
    // (DESIGN §5 order); only a refund that does not exist yet is checked against its order.
    const precondition: Precondition | undefined = checkOrder
      ? (state) => (state.status === 'NONE' ? checkOrder(terms) : undefined)
      : undefined;
    const result = await sequence(terms.outTradeNo, () =>
      handle(
        { type: 'RequestRefund', data: { ...terms, requestedAt: clock.now().toISOString() } },
        context,
        precondition,
      ),
    );
    return result.appended.length > 0
      ? { outcome: 'created', outRefundNo: terms.outRefundNo, history: result.history }
      : { outcome: 'repeated', outRefundNo: terms.outRefundNo };
  };
