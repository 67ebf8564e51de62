import { describe, expect, it } from 'vitest';
import { startRepeating } from '../../src/application/startRepeating.js';
import { StoreUnavailable } from '../../src/application/ports/storeHealth.js';
import { captureLogs, logLevel } from '../support/logCapture.js';
import { eventually } from '../support/eventually.js';

describe('a round of background work repeated until stopped', () => {
  it('given a round that throws, then it is logged and the next round comes anyway', async () => {
    const logs = captureLogs('debug');
    let rounds = 0;
    const repeating = startRepeating({
      round: async () => {
        rounds += 1;
        if (rounds === 1) throw new Error('broken');
        if (rounds === 2) throw new StoreUnavailable('the store is down');
      },
      intervalMs: 1,
      log: logs.logger,
      failure: 'the round failed',
    });
    await eventually(() => expect(rounds).toBeGreaterThanOrEqual(3));
    await repeating.stop();
    const failed = logs.records().filter((r) => r.msg === 'the round failed');
    expect(failed.slice(0, 2).map((r) => r.level)).toEqual([logLevel.error, logLevel.debug]);
  });

  it('given pauseFirst, when stopped within the first interval, then no round ran and stop returns at once', async () => {
    let rounds = 0;
    const repeating = startRepeating({
      round: async () => {
        rounds += 1;
      },
      intervalMs: 3_600_000,
      log: captureLogs('info').logger,
      failure: 'the round failed',
      pauseFirst: true,
    });
    await repeating.stop();
    expect(rounds).toBe(0);
  });

  it('given no pauseFirst, then the first round runs at once, and a stop waits for the round in progress', async () => {
    let release = (): void => undefined;
    let finished = false;
    const repeating = startRepeating({
      round: async () => {
        await new Promise<void>((resolve) => (release = resolve));
        finished = true;
      },
      intervalMs: 3_600_000,
      log: captureLogs('info').logger,
      failure: 'the round failed',
    });
    const stopped = repeating.stop();
    release();
    await stopped;
    expect(finished).toBe(true);
  });
});
