import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import type { Clock } from '../../application/ports/clock.js';
import type {
  WebhookAttemptResult,
  WebhookSender,
  WebhookUrlPolicy,
} from '../../application/webhooks/webhookPorts.js';
import { errorMessage } from '../../application/errorMessage.js';
import { standardWebhooksSignature } from './standardWebhooksSignature.js';

/** Retry-After as seconds or an HTTP date; undefined when absent or unreadable. */
export const retryAfterMs = (value: string | undefined, now: Date): number | undefined => {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now.getTime());
};

/**
 * The outgoing side of webhook delivery (WEBHOOKS.md): one POST per attempt, Standard Webhooks
 * headers signed at the attempt's own timestamp, redirects never followed (a 3xx is an answer like
 * any non-2xx), the whole exchange bounded by the timeout, and at most `maxAnswerBytes` of the
 * answer read (then the connection is dropped). The URL policy is checked at every attempt, and
 * its lookup pins the socket to the addresses it checked.
 */
export const createWebhookHttpSender = ({
  policy,
  lookup,
  timeoutMs,
  clock,
  maxAnswerBytes = 4096,
  maxSockets = 16,
}: {
  policy: WebhookUrlPolicy;
  lookup: LookupFunction | undefined;
  timeoutMs: number;
  clock: Clock;
  maxAnswerBytes?: number;
  maxSockets?: number;
}): { send: WebhookSender; close: () => void } => {
  const agents = {
    'http:': new http.Agent({ keepAlive: true, maxSockets }),
    'https:': new https.Agent({ keepAlive: true, maxSockets }),
  };

  const send: WebhookSender = async ({ url, webhookId, body, secrets }) => {
    const allowed = await policy(url);
    if (!allowed.ok) return { kind: 'failed', reason: `refused: ${allowed.reason}` };
    const target = new URL(url);
    const timestamp = Math.floor(clock.now().getTime() / 1000);
    const headers = {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
      'user-agent': 'wechat-refund-service-webhooks/1',
      'webhook-id': webhookId,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': standardWebhooksSignature(secrets, { id: webhookId, timestamp, body }),
    };
    const client = target.protocol === 'https:' ? https : http;
    const agent = target.protocol === 'https:' ? agents['https:'] : agents['http:'];

    return new Promise<WebhookAttemptResult>((resolve) => {
      let settled = false;
      const settle = (result: WebhookAttemptResult) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(result);
      };
      const request = client.request(
        target,
        { method: 'POST', headers, agent, ...(lookup && { lookup }) },
        (response) => {
          const status = response.statusCode ?? 0;
          const later = retryAfterMs(response.headers['retry-after'], clock.now());
          const answered = () =>
            settle({
              kind: 'answered',
              status,
              ...(later !== undefined && { retryAfterMs: later }),
            });
          let read = 0;
          response.on('data', (chunk: Buffer) => {
            read += chunk.length;
            // Enough to know it answered; the rest is not worth reading (nor logging).
            if (read > maxAnswerBytes) {
              answered();
              response.destroy();
            }
          });
          response.on('end', answered);
          response.on('error', answered);
        },
      );
      const timer = setTimeout(() => {
        settle({ kind: 'failed', reason: `no answer within ${timeoutMs} ms` });
        request.destroy();
      }, timeoutMs);
      request.on('error', (error) => settle({ kind: 'failed', reason: errorMessage(error) }));
      request.end(body);
    });
  };

  return {
    send,
    close: () => {
      agents['http:'].destroy();
      agents['https:'].destroy();
    },
  };
};
