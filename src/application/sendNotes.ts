import type { CommandContext } from './eventMetadata.js';
import type { Log } from './ports/log.js';
import type { SendAttempts } from './sendAttempts.js';

/**
 * The gateway's notes of its sends (see SendAttempts): a send is noted before this process's
 * first call for the attempt, retries of it are not, and the note goes once the answer is
 * recorded. Keeps in memory which attempts this process is sending, so that its retries do not
 * renew the note and a hand-off from the reconciler reaches the one sender.
 */
export const sendNotes = (attempts: SendAttempts, log: Log) => {
  const open = new Set<string>();
  const key = (outRefundNo: string, attempt: number) => `${outRefundNo}\u0000${attempt}`;
  return {
    /** Before a call: notes the send unless this process is already sending the attempt. */
    starting: async (outRefundNo: string, attempt: number): Promise<void> => {
      if (open.has(key(outRefundNo, attempt))) return;
      await attempts.started(outRefundNo, attempt);
      open.add(key(outRefundNo, attempt));
    },
    /** The answer is recorded. A note left behind is harmless: the reconciler removes it. */
    answered: async (outRefundNo: string, attempt: number): Promise<void> => {
      open.delete(key(outRefundNo, attempt));
      await attempts.ended(outRefundNo).catch((error: unknown) => {
        log.warn({ outRefundNo, err: error }, 'could not remove the note of an answered send');
      });
    },
    /**
     * The reconciler found a noted send WeChat never heard of: the gateway sends it again. When
     * this process is still trying it, its own retries do (the note is renewed, so the
     * reconciler leaves it for another window); otherwise (a restart after the gateway let go of
     * it) it goes through `send`, with the gateway's pacing and budget.
     */
    handOff:
      // sendRefund, told by its result's kind (its own type would make an import cycle).
      (
          send: (
            outRefundNo: string,
            attempt: number,
            context: CommandContext,
          ) => Promise<{ kind: string }>,
        ) =>
        async (outRefundNo: string, attempt: number, context: CommandContext): Promise<boolean> => {
          if (open.has(key(outRefundNo, attempt))) {
            await attempts.started(outRefundNo, attempt);
            return true;
          }
          return (await send(outRefundNo, attempt, context)).kind === 'recorded';
        },
  };
};

export type SendNotes = ReturnType<typeof sendNotes>;
