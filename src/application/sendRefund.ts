import {
  assertNever,
  RefundRuleViolation,
  type Refund,
  type RefundCommand,
} from '../domain/index.js';
import type { CommandContext } from './eventMetadata.js';
import type { RefundCommandHandler } from './handleRefundCommand.js';
import type { loadRefund } from './loadRefund.js';
import type { OrderPacing } from './orderPacing.js';
import type { Clock } from './ports/clock.js';
import type { Log } from './ports/log.js';
import type { RefundGateway, RefundOutcome } from './ports/refundGateway.js';
import { CorruptEventError } from './refundEventCodec.js';
import type { SendNotes } from './sendNotes.js';

export type SendResult =
  | { kind: 'recorded' }
  /** Nothing to send: the attempt was already answered, superseded, or is not ours to send. */
  | { kind: 'skipped' }
  /** Not yet: another refund of the order was sent too recently (WeChat's spacing). */
  | { kind: 'paced'; waitMs: number }
  /** WeChat gave no answer worth recording; send again later with the same parameters. */
  | { kind: 'retry'; code: string; message: string };

/**
 * Sends one attempt of a refund to WeChat and records the answer. Safe to repeat: WeChat refunds
 * an out_refund_no at most once, and the state is read again before every send.
 */
export const sendRefund =
  ({
    gateway,
    handle,
    load,
    clock,
    log,
    pacing,
    notes,
  }: {
    gateway: RefundGateway;
    handle: RefundCommandHandler;
    load: ReturnType<typeof loadRefund>;
    clock: Clock;
    log: Log;
    pacing?: OrderPacing;
    /** Where the reconciler learns which sends went unanswered (absent: it is not told). */
    notes?: SendNotes;
  }) =>
  async (outRefundNo: string, attempt: number, context: CommandContext): Promise<SendResult> => {
    let state: Refund;
    try {
      state = await load(outRefundNo);
    } catch (error) {
      if (!(error instanceof CorruptEventError)) throw error;
      // What to send cannot be told from a stream with an event nobody can read. Not retried, so
      // that it holds up nothing else; the projections and the audit name the stream.
      log.error({ outRefundNo, err: error }, 'refund not sent: its stream cannot be read');
      return { kind: 'skipped' };
    }
    if (state.status !== 'REQUESTED' || state.attempt !== attempt || state.origin !== 'api') {
      return { kind: 'skipped' };
    }
    const { outTradeNo } = state.terms;
    const waitMs = (await pacing?.turn(outTradeNo, outRefundNo)) ?? 0;
    if (waitMs > 0) return { kind: 'paced', waitMs };
    let outcome: RefundOutcome;
    try {
      await notes?.starting(outRefundNo, attempt);
      outcome = await gateway.refund(state.attemptTerms);
    } finally {
      pacing?.answered(outTradeNo, outRefundNo);
    }
    const at = clock.now().toISOString();
    let command: RefundCommand;
    switch (outcome.kind) {
      case 'retryable':
        return { kind: 'retry', code: outcome.code, message: outcome.message };
      case 'accepted': {
        const { kind: _kind, ...accepted } = outcome;
        command = { type: 'AcceptRefund', data: { outRefundNo, ...accepted, acceptedAt: at } };
        break;
      }
      case 'misconfigured':
        // WECHAT.md: SIGNERROR, CERT_ERROR, NOAUTH… are configuration faults an operator must fix;
        // the refund fails at request and can be retried once they are fixed.
        log.error({ outRefundNo, code: outcome.code }, 'WeChat Pay refused our configuration');
        command = failure(outRefundNo, outcome.code, outcome.message, at);
        break;
      case 'rejected':
        command = failure(outRefundNo, outcome.code, outcome.message, at);
        break;
      default:
        return assertNever(outcome);
    }
    try {
      await handle(command, context);
    } catch (error) {
      if (!(error instanceof RefundRuleViolation)) throw error;
      // The refund moved on meanwhile (e.g. a notification settled it): what WeChat said is moot.
      log.warn(
        { outRefundNo, code: error.code, err: error },
        'answer from WeChat contradicts the refund',
      );
    }
    await notes?.answered(outRefundNo, attempt);
    return { kind: 'recorded' };
  };

const failure = (
  outRefundNo: string,
  code: string,
  message: string,
  failedAt: string,
): RefundCommand => ({
  type: 'FailRefund',
  data: { outRefundNo, stage: 'request', code, message, failedAt },
});
