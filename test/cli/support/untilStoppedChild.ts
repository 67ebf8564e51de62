/**
 * A process whose "service" closes as told (`closes`, `fails`, or `hangs`), kept by untilStopped
 * with a grace of GRACE_MS. It prints `ready` once the signal handling is in place; its log lines
 * (pino JSON) follow on stdout.
 */
import pino from 'pino';
import { untilStopped } from '../../../src/cli/untilStopped.js';

const [mode, graceMs = '10000'] = process.argv.slice(2);
const close = (): Promise<void> => {
  switch (mode) {
    case 'closes':
      return Promise.resolve();
    case 'fails':
      return Promise.reject(new Error('the store would not close'));
    case 'hangs':
      return new Promise(() => undefined);
    case undefined:
    default:
      throw new Error('usage: untilStoppedChild.ts closes|fails|hangs [GRACE_MS]');
  }
};
// What a listening server does: keep the process alive until it is closed.
const alive = setInterval(() => undefined, 60_000);
const log = pino({ level: 'info' }, process.stdout);
void untilStopped({ graceMs: Number(graceMs) })(
  {
    close: async () => {
      clearInterval(alive);
      await close();
    },
  },
  log,
);
process.stdout.write('ready\n');
