import { z } from 'zod';
import type { Clock } from './ports/clock.js';
import type { DocumentStore } from './ports/documentStore.js';

/** A send to WeChat that started and has no recorded answer yet. */
export type SendAttempt = { outRefundNo: string; attempt: number; sentAt: string };

export type SendAttempts = {
  /** The gateway starts sending the attempt (its first try in this process). */
  started: (outRefundNo: string, attempt: number) => Promise<void>;
  /** The attempt's answer is recorded, or the refund moved on: nothing left to watch. */
  ended: (outRefundNo: string) => Promise<void>;
  /** Sends started before the instant and not ended, oldest first, at most `limit`. */
  startedBefore: (instant: string, limit: number) => Promise<SendAttempt[]>;
};

const attemptSchema = z.object({
  outRefundNo: z.string(),
  attempt: z.number().int().positive(),
  sentAt: z.string(),
});

/**
 * How the reconciler tells a refund that is lost from one that is merely queued, durably: the
 * gateway notes a send here (in the read-model store) before its first call for an attempt in
 * this process, and removes the note once the answer is recorded. A REQUESTED refund without a
 * note is queued: the gateway has not reached it, and after a restart it sends everything it had
 * not finished again from its checkpoint (or its subscription), noting each send anew — so a
 * restart makes no queued refund look lost. A note older than RECONCILE_AFTER_SECONDS is a send
 * that got no answer for that long (a timeout, a crash between the call and the record): it
 * survives the restart, so a lost send is never hidden. Retries of the same attempt in one
 * process do not renew the note; a hand-off back to the gateway does.
 */
export const documentSendAttempts = (documents: DocumentStore, clock: Clock): SendAttempts => {
  const collection = documents.collection('send_attempts', {
    decode: (value) => attemptSchema.parse(value),
    orderedIndexes: [{ equal: [], orderBy: 'sentAt', direction: 'asc' }],
  });
  // The store keeps the write with the highest position; ours are the time, then a counter.
  let counter = 0n;
  const position = (): bigint => BigInt(clock.now().getTime()) * 1000n + (counter++ % 1000n);
  return {
    started: async (outRefundNo, attempt) => {
      const sentAt = clock.now().toISOString();
      await (await collection).put(outRefundNo, { outRefundNo, attempt, sentAt }, position());
    },
    ended: async (outRefundNo) => {
      await (await collection).delete(outRefundNo, position());
    },
    startedBefore: async (instant, limit) =>
      (
        await (
          await collection
        ).query({ orderBy: 'sentAt', direction: 'asc', range: { max: instant }, limit })
      ).documents.filter((sent) => sent.sentAt < instant),
  };
};
