import { parentPort, workerData } from 'node:worker_threads';
import { z } from 'zod';
import {
  createWebhookHttpPoster,
  type WebhookPost,
  type WebhookPostAnswer,
} from './webhookHttpPost.js';
import { batchedPerTurn } from '../batchedPerTurn.js';
import { createWebhookUrlPolicy } from './webhookUrlPolicy.js';

/** What threadedWebhookPoster.ts starts the worker with. */
const webhookPostWorkerData = z.object({
  allowPrivate: z.boolean(),
  timeoutMs: z.number().int().positive(),
});

export type PostRequest = { id: number; request: WebhookPost };
export type PostReply = { id: number; answer: WebhookPostAnswer };

/*
 * The webhook requests, in a thread of their own: an HTTP client's work per request (sockets,
 * the parser, timers) is most of a delivery's CPU, and on the main thread it was taken from the
 * API's requests. The worker resolves names itself, through the live-mode URL policy's lookup.
 */
const { allowPrivate, timeoutMs } = webhookPostWorkerData.parse(workerData);
const poster = createWebhookHttpPoster({
  lookup: createWebhookUrlPolicy({ allowPrivate }).lookup,
  timeoutMs,
});
const port = parentPort;
if (!port) throw new Error('webhookPostWorker runs in a worker thread');

// Answers that arrive in the same turn go back in one message.
const reply = batchedPerTurn((replies: PostReply[]) => port.postMessage(replies));
port.on('message', (requests: readonly PostRequest[]) => {
  for (const { id, request } of requests) {
    void poster.post(request).then((answer) => reply({ id, answer }));
  }
});
