import type { WebhookAttemptResult } from './webhookPorts.js';
import { webhookRetryDelay } from './webhookRetrySchedule.js';
import type { WebhookDelivery, WebhookEndpoint } from './webhookStore.js';

/** What an attempt came to, for metrics: `retry` waits for the next one. */
export type AttemptOutcome = 'succeeded' | 'retry' | 'failed' | 'disabled';

const isSuccess = (status: number) => status >= 200 && status < 300;

/** The secrets an attempt is signed with now: the new one, and the old one during a rotation. */
export const signingSecrets = (
  endpoint: Pick<WebhookEndpoint, 'secret' | 'previousSecret' | 'previousSecretExpiresAt'>,
  now: string,
): string[] =>
  endpoint.previousSecret !== undefined &&
  endpoint.previousSecretExpiresAt !== undefined &&
  now < endpoint.previousSecretExpiresAt
    ? [endpoint.secret, endpoint.previousSecret]
    : [endpoint.secret];

/**
 * The delivery after an attempt: ended (2xx; 410, which disables the endpoint; the schedule spent)
 * or due again after the next delay of the schedule, when `retryInMs` says so.
 */
export const deliveryAfterAttempt = (
  delivery: WebhookDelivery,
  result: WebhookAttemptResult,
  { now, scheduleMs, random }: { now: Date; scheduleMs: readonly number[]; random: () => number },
): { next: WebhookDelivery; outcome: AttemptOutcome; retryInMs?: number } => {
  const at = now.toISOString();
  const tried = {
    ...delivery,
    attempts: delivery.attempts + 1,
    roundAttempts: delivery.roundAttempts + 1,
    lastAttemptAt: at,
    lastStatusCode: result.kind === 'answered' ? result.status : null,
    version: delivery.version + 1,
  };
  const ended = (status: 'succeeded' | 'failed') => ({
    ...tried,
    status,
    nextAttemptAt: null,
    dueAt: at,
  });
  if (result.kind === 'answered' && isSuccess(result.status)) {
    return { next: ended('succeeded'), outcome: 'succeeded' };
  }
  if (result.kind === 'answered' && result.status === 410) {
    return { next: ended('failed'), outcome: 'disabled' };
  }
  const delay = webhookRetryDelay({
    scheduleMs,
    failedInRound: tried.roundAttempts,
    random,
    ...(result.kind === 'answered' &&
      result.retryAfterMs !== undefined && { retryAfterMs: result.retryAfterMs }),
  });
  if (delay === undefined) return { next: ended('failed'), outcome: 'failed' };
  const retryAt = new Date(now.getTime() + delay).toISOString();
  return {
    next: { ...tried, nextAttemptAt: retryAt, dueAt: retryAt },
    outcome: 'retry',
    retryInMs: delay,
  };
};
