export type RateLimiter = {
  /** Resolves when the caller may make one call; callers wait their turn, none is refused. */
  acquire(): Promise<void>;
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
 * A token bucket holding at most one second's worth of calls. Each acquire takes a token, going
 * into debt when none is left, and waits until the debt would be repaid: waiters are served in
 * the order they came, without a queue or a timer per caller beyond their own wait.
 */
export const createRateLimiter = ({
  perSecond,
  now = () => performance.now(),
  sleep = realSleep,
}: RateLimiterOptions): RateLimiter => {
  if (perSecond === 0) return { acquire: () => Promise.resolve() };
  if (!(perSecond > 0) || !Number.isFinite(perSecond)) {
    throw new RangeError('perSecond must be a positive number or 0');
  }
  const capacity = Math.max(1, perSecond);
  let tokens = capacity;
  let updatedAt = now();
  return {
    acquire: async () => {
      const at = now();
      tokens = Math.min(capacity, tokens + ((at - updatedAt) * perSecond) / 1000);
      updatedAt = at;
      tokens -= 1;
      if (tokens < 0) await sleep((-tokens * 1000) / perSecond);
    },
  };
};
