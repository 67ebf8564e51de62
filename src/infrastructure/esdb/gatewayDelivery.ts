import { backoffDelay } from '../../application/backoff.js';
import { gatewayRequestOf, type GatewayRequest } from '../../application/gatewayRequest.js';
import type { RecordedEvent } from '../../application/ports/eventStore.js';
import type { Log } from '../../application/ports/log.js';
import type { sendRefund } from '../../application/sendRefund.js';
import { assertNever } from '../../domain/index.js';
import { errorMessage } from '../../application/errorMessage.js';

/** What to tell the persistent subscription about one delivered event. */
export type DeliveryOutcome =
  { kind: 'ack' } | { kind: 'nack'; action: 'retry' | 'park'; reason: string };

/**
 * Handles one event a persistent subscription delivered to the gateway: a RefundRequested is sent
 * to WeChat and acknowledged once the answer is stored; anything else is acknowledged at once.
 * When WeChat gives no answer, or storing it fails, the event is nacked for a retry: the server
 * then redelivers it, to this instance or another. The server redelivers at once, so the handler
 * waits a backoff (grown with the server's retry count) before nacking. An event that does not
 * decode is parked, where an operator can see it (and replay it once fixed).
 */
export const gatewayDelivery =
  ({
    send,
    log,
    pause,
    random,
    retryBaseMs,
    retryMaxMs,
  }: {
    send: ReturnType<typeof sendRefund>;
    log: Log;
    /** Ends early when the reactor stops, so that a stopping instance hands its events back. */
    pause: (delayMs: number) => Promise<void>;
    random: () => number;
    retryBaseMs: number;
    /** Keep it under the subscription's message timeout, or the server retries on its own. */
    retryMaxMs: number;
  }) =>
  async (recorded: RecordedEvent, retryCount: number): Promise<DeliveryOutcome> => {
    let request: GatewayRequest | undefined;
    try {
      request = gatewayRequestOf(recorded);
    } catch (error) {
      log.error(
        { err: error, streamName: recorded.streamName, revision: recorded.revision.toString() },
        'gateway parked an unreadable event',
      );
      return { kind: 'nack', action: 'park', reason: `unreadable event: ${errorMessage(error)}` };
    }
    if (!request) return { kind: 'ack' };

    const { outRefundNo, attempt } = request.request;
    const correlationId = request.context.correlationId;
    let reason: string;
    try {
      const result = await send(outRefundNo, attempt, request.context);
      switch (result.kind) {
        case 'recorded':
        case 'skipped':
          return { kind: 'ack' };
        case 'retry':
          reason = `${result.code}: ${result.message}`;
          log.warn(
            { outRefundNo, attempt, code: result.code, correlationId, retryCount },
            'WeChat Pay gave no answer; will retry',
          );
          break;
        default:
          return assertNever(result);
      }
    } catch (error) {
      reason = errorMessage(error);
      log.error(
        { err: error, outRefundNo, attempt, correlationId, retryCount },
        'sending the refund failed; will retry',
      );
    }
    await pause(backoffDelay(retryCount, { baseMs: retryBaseMs, maxMs: retryMaxMs, random }));
    return { kind: 'nack', action: 'retry', reason };
  };
