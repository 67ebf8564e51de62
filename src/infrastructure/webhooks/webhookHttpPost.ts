import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { errorMessage } from '../../application/errorMessage.js';

/** One signed webhook request, ready to go. */
export type WebhookPost = { url: string; headers: Record<string, string>; body: string };

export type WebhookPostAnswer =
  /** The endpoint answered (any status), with its Retry-After as it came. */
  | { kind: 'answered'; status: number; retryAfter?: string }
  /** No answer: a timeout, a refused address, a connection that failed. */
  | { kind: 'failed'; reason: string };

/** Makes webhook requests; `post` never throws. */
export type WebhookPoster = {
  post: (request: WebhookPost) => Promise<WebhookPostAnswer>;
  close: () => void;
};

export type WebhookPosterOptions = {
  /** Pins each socket to the addresses the URL policy checked (live mode). */
  lookup: LookupFunction | undefined;
  timeoutMs: number;
  maxAnswerBytes?: number;
  maxSockets?: number;
};

/**
 * The HTTP exchange of a webhook attempt (WEBHOOKS.md): one POST, redirects never followed (a 3xx
 * is an answer like any non-2xx), the whole exchange bounded by the timeout, at most
 * `maxAnswerBytes` of the answer read (then the connection is dropped), keep-alive connections.
 */
export const createWebhookHttpPoster = ({
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
