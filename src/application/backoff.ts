/**
 * Exponential backoff with jitter: base, doubling per failure, capped; each delay is drawn from
 * its upper half so that refunds failing together do not retry together.
 */
export const backoffDelay = (
  failures: number,
  { baseMs, maxMs, random }: { baseMs: number; maxMs: number; random: () => number },
): number => {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(failures, 30));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
};
