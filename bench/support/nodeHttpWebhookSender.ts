import http from 'node:http';
import https from 'node:https';
import type {
  WebhookAttemptResult,
  WebhookSender,
} from '../../src/application/webhooks/webhookPorts.js';
import { errorMessage } from '../../src/application/errorMessage.js';
import {
  retryAfterMs,
  webhookAttemptHeaders,
  type WebhookHttpSenderOptions,
} from '../../src/infrastructure/webhooks/webhookHttpSender.js';

/**
 * The webhook sender as it was before undici (main up to 2026-11-30), on node's http client: the
 * reference `npm run bench:webhook-sender` measures the sender against. Same behaviour: one POST
 * per attempt, redirects never followed, one deadline, at most `maxAnswerBytes` of the answer read.
 */
export const createNodeHttpWebhookSender = ({
  policy,
  lookup,
  timeoutMs,
  clock,
  maxAnswerBytes = 4096,
  maxSockets = 16,
}: WebhookHttpSenderOptions): { send: WebhookSender; close: () => void } => {
  const agents = {
    'http:': new http.Agent({ keepAlive: true, maxSockets }),
    'https:': new https.Agent({ keepAlive: true, maxSockets }),
  };

  const send: WebhookSender = async ({ url, ...attempt }) => {
    const allowed = await policy(url);
    if (!allowed.ok) return { kind: 'failed', reason: `refused: ${allowed.reason}` };
    const target = new URL(url);
    const { body } = attempt;
    const headers = {
      ...webhookAttemptHeaders(attempt, clock),
      'content-length': Buffer.byteLength(body),
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
