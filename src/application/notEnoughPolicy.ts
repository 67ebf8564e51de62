import { evolve, initialRefund, RefundRuleViolation, type Refund } from '../domain/index.js';
import { backoffDelay } from './backoff.js';
import { causedBy, type CommandContext } from './eventMetadata.js';
import type { RefundCommandHandler } from './handleRefundCommand.js';
import type { Clock } from './ports/clock.js';
import type { EventStore, RecordedEvent } from './ports/eventStore.js';
import type { Log } from './ports/log.js';
import type { Reactor } from './reactor.js';
import { CorruptEventError, decodeRefundEvent, refundStreamName } from './refundEventCodec.js';

/** WeChat's insufficient-balance refusals: v2's err_code NOTENOUGH, v3's code NOT_ENOUGH. */
const insufficientBalanceCodes: readonly string[] = ['NOTENOUGH', 'NOT_ENOUGH'];

/** A request-stage insufficient-balance failure, as the log recorded it. */
export type InsufficientBalance = {
  outRefundNo: string;
  /** The failure's revision in its stream: the policy acts only while it is the last event. */
  revision: bigint;
  failedAt: string;
  context: CommandContext;
};

/**
 * How many retries the policy made since the refund's last request by anyone else: the index
 * of the next delay. A manual retry (or the first request) starts the schedule again.
 */
const policyRetries = (stream: readonly RecordedEvent[]): number =>
  stream.reduce(
    (count, recorded) =>
      recorded.type !== 'RefundRequested'
        ? count
        : recorded.metadata['source'] === 'policy'
          ? count + 1
          : 0,
    0,
  );

/**
 * NOTENOUGH_RETRY_SECONDS (DESIGN §4): after each insufficient-balance failure, a retry after
 * the next delay of the schedule (a RetryRefund with metadata source `policy`), then none: the
 * refund stays FAILED. Everything is derived from the log, so a restart neither loses nor
 * doubles a retry: the due time is the failure's failedAt plus the delay for the number of
 * policy retries in the stream, and the retry names the attempt it follows (a no-op once that
 * attempt was retried). A manual /retry in between takes over: the failure is then no longer
 * the stream's last event.
 *
 * A retry overdue by more than an hour (or the schedule's longest delay) is not made: the failure
 * predates the policy (turned on, or on again, later) or the service was down that long. Money
 * may have been refunded another way since; a person decides (the refund stays FAILED).
 */
export const notEnoughPolicy = ({
  events,
  handle,
  clock,
  log,
  random,
  scheduleMs,
}: {
  events: EventStore;
  handle: RefundCommandHandler;
  clock: Clock;
  log: Log;
  random: () => number;
  /** NOTENOUGH_RETRY_SECONDS, in ms. */
  scheduleMs: readonly number[];
}): Reactor<InsufficientBalance> => {
  const longestWaitMs = Math.max(0, ...scheduleMs);
  const staleAfterMs = Math.max(3_600_000, longestWaitMs);
  return {
    name: 'notenough_policy',
    longestWaitMs,
    decide: (recorded) => {
      const { event } = decodeRefundEvent(recorded);
      if (event.type !== 'RefundFailed' || event.data.stage !== 'request') return undefined;
      if (!insufficientBalanceCodes.includes(event.data.code)) return undefined;
      return {
        outRefundNo: event.data.outRefundNo,
        revision: recorded.revision,
        failedAt: event.data.failedAt,
        context: causedBy(recorded, 'policy'),
      };
    },
    act: async ({ outRefundNo, revision, failedAt, context }) => {
      const stream = await events.readStream(refundStreamName(outRefundNo));
      if (stream.at(-1)?.revision !== revision) return { kind: 'done' };
      const retries = policyRetries(stream);
      const delayMs = scheduleMs[retries];
      if (delayMs === undefined) {
        log.warn(
          { outRefundNo, retries },
          'NOTENOUGH retries exhausted; the refund stays FAILED until someone retries it',
        );
        return { kind: 'done' };
      }
      const waitMs = Date.parse(failedAt) + delayMs - clock.now().getTime();
      if (waitMs > 0) return { kind: 'later', delayMs: waitMs };
      if (-waitMs > staleAfterMs) {
        log.warn(
          { outRefundNo, failedAt, overdueMs: -waitMs },
          'NOTENOUGH refund not retried: its retry is long overdue; it stays FAILED until someone retries it',
        );
        return { kind: 'done' };
      }
      let failed: Refund;
      try {
        failed = stream
          .map((recorded) => decodeRefundEvent(recorded).event)
          .reduce(evolve, initialRefund);
      } catch (error) {
        if (!(error instanceof CorruptEventError)) throw error;
        // Like the gateway: what to retry cannot be told; the projections and the audit name it.
        log.error(
          { outRefundNo, err: error },
          'NOTENOUGH refund not retried: its stream cannot be read',
        );
        return { kind: 'done' };
      }
      if (failed.status !== 'FAILED') return { kind: 'done' };
      try {
        await handle(
          {
            type: 'RetryRefund',
            data: {
              outRefundNo,
              requestedAt: clock.now().toISOString(),
              failedAttempt: failed.attempt,
            },
          },
          context,
        );
        log.info({ outRefundNo, retry: retries + 1, delayMs }, 'retried a NOTENOUGH refund');
      } catch (error) {
        // Settled meanwhile (WeChat's SUCCESS wins over the failure): nothing to retry.
        if (!(error instanceof RefundRuleViolation)) throw error;
      }
      return { kind: 'done' };
    },
    retryDelay: (retryCount) =>
      backoffDelay(retryCount, { baseMs: 1000, maxMs: 5 * 60_000, random }),
  };
};
