import http from 'node:http';
import https from 'node:https';
import { errorMessage } from '../../src/application/errorMessage.js';
import type {
  WebhookPost,
  WebhookPostAnswer,
  WebhookPoster,
  WebhookPosterOptions,
} from '../../src/infrastructure/webhooks/webhookHttpPost.js';

/**
 * The webhook poster as it was before undici (main up to 2026-11-30), on node's http client: the
 * reference `npm run bench:webhook-sender` measures the poster against. Same behaviour: one POST,
 * redirects never followed, one deadline, at most `maxAnswerBytes` of the answer read.
 */
export const createNodeHttpWebhookPoster = ({
  lookup,
  timeoutMs,
  maxAnswerBytes = 4096,
  maxSockets = 16,
}: WebhookPosterOptions): WebhookPoster => {
  const agents = {
    'http:': new http.Agent({ keepAlive: true, maxSockets }),
    'https:': new https.Agent({ keepAlive: true, maxSockets }),
  };

  const post = ({ url, headers, body }: WebhookPost): Promise<WebhookPostAnswer> => {
    const target = new URL(url);
    const client = target.protocol === 'https:' ? https : http;
    const agent = target.protocol === 'https:' ? agents['https:'] : agents['http:'];

    return new Promise<WebhookPostAnswer>((resolve) => {
      let settled = false;
      const settle = (answer: WebhookPostAnswer) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(answer);
      };
      const request = client.request(
        target,
        { method: 'POST', headers, agent, ...(lookup && { lookup }) },
        (response) => {
          const status = response.statusCode ?? 0;
          const retryAfter = response.headers['retry-after'];
          const answered = () =>
            settle({ kind: 'answered', status, ...(retryAfter !== undefined && { retryAfter }) });
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
    post,
    close: () => {
      agents['http:'].destroy();
      agents['https:'].destroy();
    },
  };
};
