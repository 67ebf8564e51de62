import closeWithGrace from 'close-with-grace';
import type { Logger } from 'pino';
import type { Stoppable } from './commandIo.js';

/** How long a stop waits for close() before the process exits anyway. */
export const defaultGraceMs = 10_000;

/**
 * The one place signals are handled. Keeps a started service until the process is told to stop
 * (SIGTERM, SIGINT, and the other signals close-with-grace listens to) or fails (an uncaught
 * exception or rejection), then closes it: exit 0 once closed; 1 after a failure, when close()
 * fails, or when it has not finished within `graceMs` (a hung store must not keep an
 * orchestrator waiting); a second signal exits 1 at once. close-with-grace ends the process
 * itself, so the promise never settles.
 */
export const untilStopped =
  ({ graceMs = defaultGraceMs }: { graceMs?: number } = {}) =>
  (running: Stoppable, log: Logger): Promise<number> =>
    new Promise(() => {
      closeWithGrace(
        {
          delay: graceMs,
          logger: false,
          onTimeout: (delay) =>
            log.error({ graceMs: delay }, 'shutdown did not finish in time; exiting anyway'),
          onSecondSignal: (signal) => log.error({ signal }, 'second signal; exiting at once'),
          onSecondError: (error) => log.error({ err: error }, 'another failure while stopping'),
        },
        async ({ signal, err }) => {
          if (err) log.error({ err }, 'stopping after an unexpected failure');
          else log.info({ signal }, 'shutting down');
          try {
            await running.close();
          } catch (error) {
            log.error({ err: error }, 'shutdown failed');
            throw error;
          }
        },
      );
    });
