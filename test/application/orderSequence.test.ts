import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { orderSequence } from '../../src/application/orderSequence.js';

/** A ledger whose projection the test moves: reached(p) resolves once `project(p)` ran. */
const ledger = () => {
  let at = 0n;
  const waiting: { position: bigint; resolve: () => void }[] = [];
  return {
    reached: (position: bigint) =>
      new Promise<void>((resolve) => {
        if (at >= position) resolve();
        else waiting.push({ position, resolve });
      }),
    project: (position: bigint) => {
      at = position;
      for (const waiter of waiting.filter((w) => w.position <= at)) waiter.resolve();
    },
  };
};

const log = pino({ level: 'silent' });
const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('the requests of one order, one after another', () => {
  it('given a request that appended, then the order’s next one starts only once the ledger has the first, while another order’s starts at once', async () => {
    const projection = ledger();
    const sequence = orderSequence({ projected: projection.reached, log });
    const started: string[] = [];
    const work = (name: string, position: bigint | undefined) => async () => {
      started.push(name);
      return { position };
    };

    await sequence('T1', work('T1 first', 5n));
    const second = sequence('T1', work('T1 second', 6n));
    await sequence('T2', work('T2 first', 7n));
    await tick();
    expect(started).toEqual(['T1 first', 'T2 first']);

    projection.project(5n);
    await second;
    expect(started).toEqual(['T1 first', 'T2 first', 'T1 second']);
  });

  it('given a request that appended nothing (a refusal, a repeat), then the next one does not wait for the ledger', async () => {
    const sequence = orderSequence({ projected: () => new Promise(() => undefined), log });
    await sequence('T1', () => Promise.resolve({ position: undefined }));
    await expect(sequence('T1', () => Promise.resolve({ position: undefined }))).resolves.toEqual({
      position: undefined,
    });
  });

  it('given a request that throws, then the order is released and the error reaches its caller', async () => {
    const sequence = orderSequence({ projected: () => Promise.resolve(), log });
    await expect(sequence('T1', () => Promise.reject(new Error('refused')))).rejects.toThrow(
      'refused',
    );
    await expect(sequence('T1', () => Promise.resolve({ position: 1n }))).resolves.toEqual({
      position: 1n,
    });
  });

  it('given a ledger that does not catch up (its store is down), then the order is released after maxWaitMs', async () => {
    const sequence = orderSequence({
      projected: () => new Promise(() => undefined),
      maxWaitMs: 50,
      log,
    });
    await sequence('T1', () => Promise.resolve({ position: 1n }));
    // Never projected: the second request runs only because the order was released.
    await expect(sequence('T1', () => Promise.resolve({ position: 2n }))).resolves.toEqual({
      position: 2n,
    });
  });
});
