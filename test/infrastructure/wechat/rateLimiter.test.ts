import { describe, expect, it } from 'vitest';
import { createRateLimiter } from '../../../src/infrastructure/wechat/rateLimiter.js';

/** A clock that only moves when a waiter sleeps, so waits are observed, not timed. */
const fakeTime = () => {
  let now = 0;
  const sleeps: number[] = [];
  return {
    now: () => now,
    advance: (ms: number) => void (now += ms),
    sleeps,
    sleep: (ms: number) => {
      sleeps.push(ms);
      return Promise.resolve();
    },
  };
};

describe('rate limiter (token bucket)', () => {
  it('given 10 per second, when 10 calls come at once, then none waits', async () => {
    const time = fakeTime();
    const limiter = createRateLimiter({ perSecond: 10, now: time.now, sleep: time.sleep });
    for (let i = 0; i < 10; i++) await limiter.acquire();
    expect(time.sleeps).toEqual([]);
  });

  it('given an empty bucket, when more calls come at once, then each waits one more interval', async () => {
    const time = fakeTime();
    const limiter = createRateLimiter({ perSecond: 10, now: time.now, sleep: time.sleep });
    for (let i = 0; i < 13; i++) await limiter.acquire();
    expect(time.sleeps.map(Math.round)).toEqual([100, 200, 300]);
  });

  it('given an empty bucket, when time passes, then tokens come back at the rate, up to one second', async () => {
    const time = fakeTime();
    const limiter = createRateLimiter({ perSecond: 10, now: time.now, sleep: time.sleep });
    for (let i = 0; i < 10; i++) await limiter.acquire();
    time.advance(300);
    for (let i = 0; i < 3; i++) await limiter.acquire();
    expect(time.sleeps).toEqual([]);
    time.advance(60_000);
    for (let i = 0; i < 11; i++) await limiter.acquire();
    expect(time.sleeps.map(Math.round)).toEqual([100]);
  });

  it('given 0, when many calls come, then the limit is lifted', async () => {
    const time = fakeTime();
    const limiter = createRateLimiter({ perSecond: 0, now: time.now, sleep: time.sleep });
    for (let i = 0; i < 1000; i++) await limiter.acquire();
    expect(time.sleeps).toEqual([]);
  });

  it('given a negative rate, when created, then it is refused', () => {
    expect(() => createRateLimiter({ perSecond: -1 })).toThrow(RangeError);
  });
});

describe('rate limiter priorities', () => {
  it('given queries and sends waiting for an empty bucket, when tokens come, then every send goes first', async () => {
    let now = 0;
    const limiter = createRateLimiter({
      perSecond: 10,
      now: () => now,
      sleep: (ms) => {
        now += ms;
        return Promise.resolve();
      },
    });
    for (let i = 0; i < 10; i++) await limiter.acquire();
    const order: string[] = [];
    const calls = [
      ...[1, 2, 3].map((i) => limiter.acquire('query').then(() => order.push(`query${i}`))),
      ...[1, 2, 3].map((i) => limiter.acquire('send').then(() => order.push(`send${i}`))),
    ];
    expect(limiter.waiting()).toEqual({ send: 3, query: 3 });
    await Promise.all(calls);
    expect(order).toEqual(['send1', 'send2', 'send3', 'query1', 'query2', 'query3']);
    expect(now).toBeCloseTo(600);
  });

  it('given a token left and a send waiting, when a query comes, then it waits behind the send', async () => {
    let now = 0;
    const sleeps: number[] = [];
    const limiter = createRateLimiter({
      perSecond: 2,
      now: () => now,
      sleep: (ms) => {
        sleeps.push(ms);
        now += ms;
        return Promise.resolve();
      },
    });
    await limiter.acquire();
    await limiter.acquire();
    const send = limiter.acquire('send');
    now += 500; // a token is back, but the send queued first
    const order: string[] = [];
    const query = limiter.acquire('query').then(() => order.push('query'));
    await send.then(() => order.push('send'));
    await query;
    expect(order).toEqual(['send', 'query']);
  });
});
