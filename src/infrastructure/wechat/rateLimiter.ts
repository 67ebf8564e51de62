/**
 * What a call is for. Sends (refunds) come first; queries (refundquery, v3 GETs) take only what
 * sends leave, so the reconciler never slows a backlog draining at WECHAT_MAX_RPS.
 */
export type CallPriority = 'send' | 'query';

export type RateLimiter = {
  /** Resolves when the caller may make one call; callers wait their turn, none is refused. */
  acquire(priority?: CallPriority): Promise<void>;
  /** Callers waiting for their turn, by priority. */
  waiting(): Record<CallPriority, number>;
};

export type RateLimiterOptions = {
  /** Calls per second on average; 0 lifts the limit. */
  perSecond: number;
  /** Monotonic milliseconds. */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
};

const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A token bucket holding at most one second's worth of calls, shared by every kind of call. A
 * caller takes a token at once when one is left and nobody of its priority or a higher one
 * waits; otherwise it joins its queue, and one pump hands out tokens at the rate, every waiting
 * send before any waiting query (first come, first served within a priority).
 */
export const createRateLimiter = ({
  perSecond,
  now = () => performance.now(),
  sleep = realSleep,
}: RateLimiterOptions): RateLimiter => {
  if (perSecond === 0) {
    return { acquire: () => Promise.resolve(), waiting: () => ({ send: 0, query: 0 }) };
  }
  if (!(perSecond > 0) || !Number.isFinite(perSecond)) {
    throw new RangeError('perSecond must be a positive number or 0');
  }
  const capacity = Math.max(1, perSecond);
  let tokens = capacity;
  let updatedAt = now();
  const queues: Record<CallPriority, (() => void)[]> = { send: [], query: [] };
  let pumping = false;

  const refill = (): void => {
    const at = now();
    tokens = Math.min(capacity, tokens + ((at - updatedAt) * perSecond) / 1000);
    updatedAt = at;
  };

  const next = (): (() => void) | undefined => queues.send.shift() ?? queues.query.shift();

  const pump = async (): Promise<void> => {
    pumping = true;
    try {
      while (queues.send.length + queues.query.length > 0) {
        // Takes the token on credit and waits until the debt is repaid; who gets it is decided
        // after the wait, so a send that came meanwhile goes before a query that waited longer.
        refill();
        tokens -= 1;
        if (tokens < 0) await sleep((-tokens * 1000) / perSecond);
        next()?.();
      }
    } finally {
      pumping = false;
    }
  };

  return {
    acquire: (priority = 'send') => {
      refill();
      const ahead =
        priority === 'send' ? queues.send.length : queues.send.length + queues.query.length;
      if (ahead === 0 && tokens >= 1) {
        tokens -= 1;
        return Promise.resolve();
      }
      return new Promise<void>((resolve) => {
        queues[priority].push(resolve);
        if (!pumping) void pump();
      });
    },
    waiting: () => ({ send: queues.send.length, query: queues.query.length }),
  };
};
