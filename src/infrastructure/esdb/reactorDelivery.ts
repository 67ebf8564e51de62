import type { RecordedEvent } from '../../application/ports/eventStore.js';
import type { Log } from '../../application/ports/log.js';
import { nextRetryDelay, tryEffect, type Reactor } from '../../application/reactor.js';
import { errorMessage } from '../../application/errorMessage.js';

/** What to tell the persistent subscription about one delivered event. */
export type DeliveryOutcome =
  { kind: 'ack' } | { kind: 'nack'; action: 'retry' | 'park'; reason: string };

/**
 * Handles one event a persistent subscription delivered to a reactor: work the reactor decides
 * on is acted on and acknowledged once done; an event that calls for nothing is acknowledged at
 * once. A failed try is nacked for a retry: the server then redelivers the event, to this
 * instance or another. The server redelivers at once, so the handler first waits the reactor's
 * retry delay for the server's retry count. An event that does not decode is parked, where an
 * operator can see it (and replay it once fixed).
 */
export const reactorDelivery =
  <W>(
    reactor: Reactor<W>,
    {
      log,
      pause,
      maxDelayMs,
    }: {
      log: Log;
      /** Ends early when the reactor stops, so that a stopping instance hands its events back. */
      pause: (delayMs: number) => Promise<void>;
      /** Keep it under the subscription's message timeout, or the server retries on its own. */
      maxDelayMs: number;
    },
  ) =>
  async (recorded: RecordedEvent, retryCount: number): Promise<DeliveryOutcome> => {
    let work: W | undefined;
    try {
      work = reactor.decide(recorded);
    } catch (error) {
      log.error(
        { err: error, streamName: recorded.streamName, revision: recorded.revision.toString() },
        `${reactor.name} parked an unreadable event`,
      );
      return { kind: 'nack', action: 'park', reason: `unreadable event: ${errorMessage(error)}` };
    }
    if (work === undefined) return { kind: 'ack' };

    const outcome = await tryEffect(reactor, work, recorded, retryCount, log);
    if (outcome.kind === 'done') return { kind: 'ack' };
    if (outcome.kind === 'later') {
      // Not due yet: handed back for another look when due, or at the message timeout's pace.
      // Every hand-back counts to the subscription's maxRetryCount, which allows for the
      // reactor's longest wait (deliveriesAllowed).
      await pause(Math.min(outcome.delayMs, maxDelayMs));
      return { kind: 'nack', action: 'retry', reason: 'not due yet' };
    }
    const delay = nextRetryDelay(reactor, recorded, { retryCount, reason: outcome.reason }, log);
    if (delay === undefined) return { kind: 'ack' };
    await pause(Math.min(delay, maxDelayMs));
    return { kind: 'nack', action: 'retry', reason: outcome.reason };
  };
