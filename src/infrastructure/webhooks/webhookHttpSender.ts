import type { Clock } from '../../application/ports/clock.js';
import type { WebhookSender, WebhookUrlPolicy } from '../../application/webhooks/webhookPorts.js';
import { standardWebhooksSignature } from './standardWebhooksSignature.js';
import type { WebhookPoster } from './webhookHttpPost.js';

/** Retry-After as seconds or an HTTP date; undefined when absent or unreadable. */
export const retryAfterMs = (value: string | undefined, now: Date): number | undefined => {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now.getTime());
};

/**
 * The outgoing side of webhook delivery (WEBHOOKS.md): the URL policy checked at every attempt,
 * Standard Webhooks headers signed at the attempt's own timestamp, and the request made by the
 * poster (in this thread, or in a worker thread of its own: threadedWebhookPoster.ts).
 */
export const createWebhookHttpSender = ({
  policy,
  poster,
  clock,
}: {
  policy: WebhookUrlPolicy;
  poster: WebhookPoster;
  clock: Clock;
}): { send: WebhookSender; close: () => void } => {
  const send: WebhookSender = async ({ url, webhookId, body, secrets }) => {
    const allowed = await policy(url);
    if (!allowed.ok) return { kind: 'failed', reason: `refused: ${allowed.reason}` };
    const timestamp = Math.floor(clock.now().getTime() / 1000);
    const answer = await poster.post({
      url,
      headers: {
        'content-type': 'application/json',
        'content-length': String(Buffer.byteLength(body)),
        'user-agent': 'wechat-refund-service-webhooks/1',
        'webhook-id': webhookId,
        'webhook-timestamp': String(timestamp),
        'webhook-signature': standardWebhooksSignature(secrets, { id: webhookId, timestamp, body }),
      },
      body,
    });
    if (answer.kind === 'failed') return answer;
    const later = retryAfterMs(answer.retryAfter, clock.now());
    return {
      kind: 'answered',
      status: answer.status,
      ...(later !== undefined && { retryAfterMs: later }),
    };
  };
  return { send, close: poster.close };
};
