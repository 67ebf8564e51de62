import { describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.js';
import { childStartMs, collect, spawnTs } from '../support/spawnTs.js';

/**
 * Starts the child, waits until it handles signals, then sends it `signals`, each once the child
 * has logged that it is shutting down (a signal sent before the last one is handled could merge
 * with it).
 */
const stopped = async (mode: string, graceMs: number, signals: NodeJS.Signals[] = ['SIGTERM']) => {
  const child = spawnTs('test/cli/support/untilStoppedChild.ts', [mode, String(graceMs)]);
  const { output, completion } = collect(child);
  await eventually(() => expect(output().stdout).toContain('ready\n'), {
    timeoutMs: childStartMs,
  });
  const sentAt = Date.now();
  for (const [i, signal] of signals.entries()) {
    if (i > 0) await eventually(() => expect(output().stdout).toContain('shutting down'));
    child.kill(signal);
  }
  const exited = await completion;
  const messages = exited.stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => (JSON.parse(line) as { msg: string }).msg);
  return { code: exited.code, messages, ms: Date.now() - sentAt };
};

describe('untilStopped (the signal handling of serve and sandbox)', () => {
  // One child each: two started one after another would need twice the time on a busy machine.
  it.each(['SIGTERM', 'SIGINT'] as const)(
    'given %s, when close() finishes, then exit 0',
    async (signal) => {
      expect(await stopped('closes', 10_000, [signal])).toMatchObject({
        code: 0,
        messages: ['shutting down'],
      });
    },
  );

  it('given close() fails, then exit 1 and the failure is logged', async () => {
    expect(await stopped('fails', 10_000)).toMatchObject({
      code: 1,
      messages: ['shutting down', 'shutdown failed'],
    });
  });

  it('given close() hangs, then exit 1 once the grace period is over, saying so', async () => {
    const run = await stopped('hangs', 300);

    expect(run).toMatchObject({
      code: 1,
      messages: ['shutting down', 'shutdown did not finish in time; exiting anyway'],
    });
    expect(run.ms).toBeGreaterThanOrEqual(300);
  });

  it('given close() hangs and a second signal comes, then exit 1 at once, long before the grace period', async () => {
    const run = await stopped('hangs', 600_000, ['SIGTERM', 'SIGTERM']);

    expect(run).toMatchObject({
      code: 1,
      messages: ['shutting down', 'second signal; exiting at once'],
    });
  });
});
