import type { Worker } from 'node:worker_threads';
import type { Log } from '../../application/ports/log.js';
import { batchedPerTurn } from '../batchedPerTurn.js';
import { startModuleWorker } from '../startModuleWorker.js';
import type { WebhookPost, WebhookPostAnswer, WebhookPoster } from './webhookHttpPost.js';
import type { PostReply, PostRequest } from './webhookPostWorker.js';

/**
 * A webhook poster whose requests are made in a worker thread (webhookPostWorker.ts), so that
 * delivering does not take the main thread from the API. The requests of one turn go in one
 * message, and their answers come back likewise. A worker that stops fails what it had in
 * flight (those attempts are tried again on schedule); the next request starts another.
 */
export const createThreadedWebhookPoster = ({
  allowPrivate,
  timeoutMs,
  log,
}: {
  allowPrivate: boolean;
  timeoutMs: number;
  log: Log;
}): WebhookPoster => {
  const waiting = new Map<number, (answer: WebhookPostAnswer) => void>();
  let nextId = 0;
  let worker: Worker | undefined;

  const failWaiting = (reason: string) => {
    for (const resolve of waiting.values()) resolve({ kind: 'failed', reason });
    waiting.clear();
  };

  const running = (): Worker => {
    if (worker) return worker;
    const started = startModuleWorker(import.meta.url, 'webhookPostWorker', {
      allowPrivate,
      timeoutMs,
    });
    started.on('message', (replies: readonly PostReply[]) => {
      for (const { id, answer } of replies) {
        waiting.get(id)?.(answer);
        waiting.delete(id);
      }
      // Only requests in flight keep the process alive.
      if (waiting.size === 0) started.unref();
    });
    started.on('error', (error) => log.error({ err: error }, 'the webhook worker failed'));
    started.on('exit', () => {
      if (worker !== started) return;
      worker = undefined;
      failWaiting('the webhook worker stopped');
    });
    worker = started;
    return started;
  };

  const send = batchedPerTurn((requests: PostRequest[]) => {
    const target = running();
    target.ref();
    target.postMessage(requests);
  });

  return {
    post: (request: WebhookPost) =>
      new Promise<WebhookPostAnswer>((resolve) => {
        const id = nextId++;
        waiting.set(id, resolve);
        send({ id, request });
      }),
    close: () => {
      const stopping = worker;
      worker = undefined;
      failWaiting('the webhook sender closed');
      void stopping?.terminate();
    },
  };
};
