import type { Log } from './ports/log.js';

export type OrderSequence = <T extends { position: bigint | undefined }>(
  outTradeNo: string,
  work: () => Promise<T>,
) => Promise<T>;

/**
 * Requests for one order on this instance, checked and appended one after another (DESIGN §5):
 * each waits for the order's previous one, and an order is released only once the order ledger
 * has applied what was appended under it, so the next check reads a ledger that includes it.
 *
 * Why wait for the ledger rather than keep an in-memory overlay of requests not yet projected:
 * the check then reads the one ledger, with the one order rule, exactly as it always did; an
 * overlay would be a second, partial ledger (statuses that change under it, entries to forget
 * once projected, memory to bound) that must agree with the first. The wait is off the answer's
 * path: the 202 goes out at once and only the order's next request waits, for as long as the
 * projection takes to apply one event (it is woken by the append). Other orders never wait
 * (bench/orderSequence.bench.ts measures both). A ledger that does not catch up within
 * maxWaitMs (its store is down) releases the order anyway: the next check is then as fresh as
 * the ledger, with WeChat the final authority, as across instances.
 */
export const orderSequence = ({
  projected,
  maxWaitMs = 5000,
  log,
}: {
  /** Resolves once the order ledger has applied the log up to the position. */
  projected: (position: bigint) => Promise<void>;
  maxWaitMs?: number;
  log: Log;
}): OrderSequence => {
  /** Per order with work queued or running: resolves when the last of it releases the order. */
  const tails = new Map<string, Promise<void>>();

  const ledgerReaches = async (outTradeNo: string, position: bigint): Promise<void> => {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(true), maxWaitMs);
    });
    const reached = projected(position).then(() => false);
    try {
      if (await Promise.race([reached, timedOut])) {
        log.warn(
          { outTradeNo, position: position.toString(), maxWaitMs },
          'the order ledger did not catch up; releasing the order',
        );
      }
    } finally {
      clearTimeout(timer);
    }
  };

  return async <T extends { position: bigint | undefined }>(
    outTradeNo: string,
    work: () => Promise<T>,
  ): Promise<T> => {
    const previous = tails.get(outTradeNo) ?? Promise.resolve();
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    const tail = previous.then(() => held);
    tails.set(outTradeNo, tail);
    const done = () => {
      release();
      if (tails.get(outTradeNo) === tail) tails.delete(outTradeNo);
    };
    await previous;
    let result: T;
    try {
      result = await work();
    } catch (error) {
      done();
      throw error;
    }
    if (result.position === undefined) done();
    else void ledgerReaches(outTradeNo, result.position).finally(done);
    return result;
  };
};
