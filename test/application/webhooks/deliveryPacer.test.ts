import { describe, expect, it } from 'vitest';
import { createDeliveryPacer } from '../../../src/application/webhooks/deliveryPacer.js';

/** A pacer on a clock the test moves: each sleep moves it by what was slept. */
const pacerOn = (busy: { now: boolean }, options: { rate: number; burst: number }) => {
  let now = 0;
  const slept: number[] = [];
  const pacer = createDeliveryPacer({
    busy: () => busy.now,
    busyRatePerSecond: options.rate,
    burst: options.burst,
    recheckMs: 100,
    now: () => now,
    sleep: async (ms) => {
      slept.push(ms);
      now += ms;
    },
  });
  return { pacer, slept, elapsed: () => now, advance: (ms: number) => (now += ms) };
};

describe('delivery pacer', () => {
  it('given the API is not busy, when any number of deliveries is paced, then none waits', async () => {
    const { pacer, slept } = pacerOn({ now: false }, { rate: 10, burst: 1 });

    for (let i = 0; i < 100; i++) await pacer.pace(50);

    expect(slept).toEqual([]);
  });

  it('given the API is busy, when deliveries are paced, then the burst goes at once and the rest at the busy rate', async () => {
    const { pacer, elapsed } = pacerOn({ now: true }, { rate: 10, burst: 2 });

    await pacer.pace(1);
    await pacer.pace(1);
    expect(elapsed()).toBe(0);
    // 2 of the burst, then 18 at 10 a second.
    await pacer.pace(18);
    expect(elapsed()).toBeCloseTo(1800);
    await pacer.pace(1);
    expect(elapsed()).toBeCloseTo(1900);
  });

  it('given a quiet spell, when the API turns busy, then only the burst goes at once: the spell is not saved up', async () => {
    const { pacer, advance, elapsed } = pacerOn({ now: true }, { rate: 10, burst: 2 });
    advance(60_000);

    await pacer.pace(4);

    expect(elapsed()).toBeCloseTo(60_200);
  });

  it('given deliveries waiting while the API is busy, when it is no longer busy, then they go at the next look, in at most the recheck interval', async () => {
    const busy = { now: true };
    const { pacer, slept } = pacerOn(busy, { rate: 1, burst: 1 });
    await pacer.pace(1);

    const waiting = pacer.pace(100);
    busy.now = false;
    await waiting;

    expect(slept).toEqual([100]);
  });

  it('given deliveries waiting while the API is busy, when delivery stops, then they are let through at the next look', async () => {
    const { pacer, slept } = pacerOn({ now: true }, { rate: 1, burst: 1 });
    await pacer.pace(1);

    const waiting = pacer.pace(100);
    pacer.stop();
    await waiting;

    expect(slept).toEqual([100]);
  });
});
