/**
 * The wait before the next attempt after `failedInRound` failed attempts of a delivery (DESIGN §4:
 * WEBHOOK_RETRY_SCHEDULE_SECONDS, ±10% jitter), or undefined once the schedule is over (the
 * delivery fails). A Retry-After asking for later is honoured, up to the schedule's longest delay.
 */
export const webhookRetryDelay = ({
  scheduleMs,
  failedInRound,
  retryAfterMs,
  random,
}: {
  scheduleMs: readonly number[];
  failedInRound: number;
  retryAfterMs?: number;
  random: () => number;
}): number | undefined => {
  const planned = scheduleMs[failedInRound - 1];
  if (planned === undefined) return undefined;
  const jittered = Math.round(planned * (0.9 + 0.2 * random()));
  if (retryAfterMs === undefined) return jittered;
  return Math.max(jittered, Math.min(retryAfterMs, Math.max(...scheduleMs)));
};
