/**
 * Whether requests may go to a URL now: in live mode only https, and only to public addresses
 * (resolved now, so a name that turned private since the endpoint was made is refused).
 */
export type WebhookUrlPolicy = (
  url: string,
) => Promise<{ ok: true } | { ok: false; reason: string }>;

/** One attempt of one delivery, signed with every secret given (two during a rotation). */
export type WebhookAttempt = {
  url: string;
  webhookId: string;
  body: string;
  secrets: readonly string[];
};

export type WebhookAttemptResult =
  /** The endpoint answered (any status); Retry-After, when it asked for a later time. */
  | { kind: 'answered'; status: number; retryAfterMs?: number }
  /** No answer: a timeout, a refused address, a connection that failed. */
  | { kind: 'failed'; reason: string };

/** Sends an attempt (Standard Webhooks headers and signatures); never throws. */
export type WebhookSender = (attempt: WebhookAttempt) => Promise<WebhookAttemptResult>;
