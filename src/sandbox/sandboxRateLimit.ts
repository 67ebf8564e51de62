/**
 * WeChat's per-merchant request rate (WECHAT.md "Limits": 150 requests/s) as the sandbox plays
 * it: a token bucket holding one second's calls, refilled at the rate. A call beyond it is
 * refused at once (FREQUENCY_LIMITED), not queued: the caller learns to slow down.
 */
export type SandboxRateLimit = {
  /** Whether one more call fits the rate now; takes its token when it does. */
  admit(): boolean;
};

export const createSandboxRateLimit = ({
  perSecond,
  now = () => performance.now(),
}: {
  /** Calls per second; 0: no limit. */
  perSecond: number;
  /** Milliseconds; a clock that goes back refills nothing. */
  now?: () => number;
}): SandboxRateLimit => {
  if (perSecond === 0) return { admit: () => true };
  if (!(perSecond > 0) || !Number.isFinite(perSecond)) {
    throw new RangeError('perSecond must be a positive number or 0');
  }
  const capacity = Math.max(1, perSecond);
  let tokens = capacity;
  let updatedAt = now();
  return {
    admit: () => {
      const at = now();
      tokens = Math.min(capacity, tokens + (Math.max(0, at - updatedAt) * perSecond) / 1000);
      updatedAt = at;
      if (tokens < 1) return false;
      tokens -= 1;
      return true;
    },
  };
};
