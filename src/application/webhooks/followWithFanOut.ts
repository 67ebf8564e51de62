import type { Checkpoints } from '../documentCheckpoints.js';
import type { EventStore } from '../ports/eventStore.js';
import type { Log } from '../ports/log.js';
import { refundCategory } from '../refundEventCodec.js';
import { retryLogLevel } from '../retryLogLevel.js';
import { createWakeup } from '../wakeup.js';
import type { WebhookFanOut } from './webhookFanOut.js';

/**
 * Runs the fan-out in this process: follows the refund events from a durable checkpoint, one
 * event after the other (its effect is a quick write), and moves the checkpoint past a page only
 * once each of its events is handled. A crash repeats at most one page of fan-outs, which the
 * effect's idempotence absorbs.
 */
export const followWithFanOut = (
  fanOut: WebhookFanOut,
  {
    events,
    checkpoints,
    log,
    batchSize = 500,
    pollIntervalMs = 1000,
  }: {
    events: EventStore;
    checkpoints: Checkpoints;
    log: Log;
    batchSize?: number;
    pollIntervalMs?: number;
  },
) => {
  const checkpointName = `${fanOut.name}_reactor`;
  const wakeup = createWakeup(events, pollIntervalMs);
  let stopped = false;

  const loop = (async () => {
    let position: bigint | undefined;
    let loaded = false;
    for (let failures = 0; !stopped;) {
      try {
        if (!loaded) {
          position = await checkpoints.load(checkpointName);
          loaded = true;
        }
        const page = await events.readCategory(refundCategory, {
          ...(position !== undefined && { after: position }),
          limit: batchSize,
        });
        for (const recorded of page) {
          const work = fanOut.decide(recorded);
          if (work) await fanOut.act(work);
          if (stopped) return;
        }
        const last = page.at(-1);
        if (last) {
          await checkpoints.save(checkpointName, last.position);
          position = last.position;
        } else {
          await wakeup.wait();
        }
        failures = 0;
      } catch (error) {
        log[retryLogLevel(error)]({ err: error }, `${fanOut.name} reactor failed; retrying`);
        await wakeup.pause(fanOut.retryDelay(failures));
        failures += 1;
      }
    }
  })();

  return {
    stop: async (): Promise<void> => {
      stopped = true;
      wakeup.stop();
      await loop;
    },
  };
};
