import { describe, expect, it } from 'vitest';
import { createDeliveryPacer } from '../../../src/application/webhooks/deliveryPacer.js';

/**
 * A pacer on a clock of the test's: a sleep ends when the clock reaches its end, and the clock
 * jumps to the next sleep's end whenever everything else is waiting (`run`).
 */
const pacerOn = (busy: { now: boolean }, options: { rate: number; burst: number }) => {
  let now = 0;
  const slept: number[] = [];
  const sleepers: { until: number; wake: () => void }[] = [];
  const pacer = createDeliveryPacer({
    busy: () => busy.now,
    busyRatePerSecond: options.rate,
    burst: options.burst,
    recheckMs: 100,
    now: () => now,
    sleep: (ms) =>
      new Promise((wake) => {
        slept.push(ms);
        sleepers.push({ until: now + ms, wake });
      }),
  });
  /** Settles `work`, moving the clock on each time nothing else can happen. */
  const run = async <T>(work: Promise<T>): Promise<T> => {
    let settled = false;
    const result = work.finally(() => (settled = true));
    while (!settled) {
      await new Promise((resolve) => setImmediate(resolve));
      sleepers.sort((a, b) => a.until - b.until);
      const next = sleepers.shift();
      if (!next) continue;
      now = Math.max(now, next.until);
      next.wake();
    }
    return result;
  };
  return { pacer, slept, run, elapsed: () => now, advance: (ms: number) => (now += ms) };
};

describe('delivery pacer', () => {
  it('given the API is not busy, when any number of deliveries is paced, then none waits', async () => {
    const { pacer, slept, run } = pacerOn({ now: false }, { rate: 10, burst: 1 });

    for (let i = 0; i < 100; i++) await run(pacer.pace(50));

    expect(slept).toEqual([]);
  });

  it('given the API is busy, when deliveries are paced, then the burst goes at once and the rest at the busy rate', async () => {
    const { pacer, run, elapsed } = pacerOn({ now: true }, { rate: 10, burst: 2 });

    await run(pacer.pace(1));
    await run(pacer.pace(1));
    expect(elapsed()).toBe(0);
    // 2 of the burst, then 18 at 10 a second.
    await run(pacer.pace(18));
    expect(elapsed()).toBeCloseTo(1800);
    await run(pacer.pace(1));
    expect(elapsed()).toBeCloseTo(1900);
  });

  it('given a quiet spell, when the API turns busy, then only the burst goes at once: the spell is not saved up', async () => {
    const { pacer, run, advance, elapsed } = pacerOn({ now: true }, { rate: 10, burst: 2 });
    advance(60_000);

    await run(pacer.pace(4));

    expect(elapsed()).toBeCloseTo(60_200);
  });

  it('given deliveries waiting while the API is busy, when it is no longer busy, then they go at the next look, in at most the recheck interval', async () => {
    const busy = { now: true };
    const { pacer, slept, run } = pacerOn(busy, { rate: 1, burst: 1 });
    await run(pacer.pace(1));

    const waiting = pacer.pace(100);
    busy.now = false;
    await run(waiting);

    expect(slept).toEqual([100]);
  });

  it('given deliveries waiting while the API is busy, when delivery stops, then they are let through at the next look', async () => {
    const { pacer, slept, run } = pacerOn({ now: true }, { rate: 1, burst: 1 });
    await run(pacer.pace(1));

    const waiting = pacer.pace(100);
    pacer.stop();
    await run(waiting);

    expect(slept).toEqual([100]);
  });

  it('given a big page waiting its turn, when a small one is paced after it, then the small one waits for its own slots after the big one, and the big one is not held back by it', async () => {
    const { pacer, run, elapsed } = pacerOn({ now: true }, { rate: 10, burst: 1 });
    const done: string[] = [];

    const big = pacer.pace(10).then(() => done.push(`big ${elapsed()}`));
    const small = pacer.pace(1).then(() => done.push(`small ${elapsed()}`));
    await run(Promise.all([big, small]));

    expect(done).toEqual(['big 900', 'small 1000']);
  });

  it('given deliveries let through unpaid when the API stopped being busy, when it is busy again, then only the burst goes at once: the unpaid ones are not charged', async () => {
    const busy = { now: true };
    const { pacer, run, advance, elapsed } = pacerOn(busy, { rate: 1, burst: 1 });
    await run(pacer.pace(1));
    const waiting = pacer.pace(100);
    busy.now = false;
    await run(waiting);
    await run(pacer.pace(1));

    busy.now = true;
    advance(1000);
    const from = elapsed();
    await run(pacer.pace(1));
    await run(pacer.pace(1));

    expect(elapsed() - from).toBeCloseTo(1000);
  });

  it('given a delivery waiting a long while on its own sleep, when delivery stops, then it is let through at once, not at the next look', async () => {
    const pacer = createDeliveryPacer({
      busy: () => true,
      busyRatePerSecond: 1,
      burst: 1,
      recheckMs: 600_000,
    });
    await pacer.pace(1);
    let through = false;
    const waiting = pacer.pace(1_000).then(() => (through = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(through).toBe(false);

    pacer.stop();
    await waiting;

    expect(through).toBe(true);
  });
});
