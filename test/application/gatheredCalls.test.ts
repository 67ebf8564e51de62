import { describe, expect, it } from 'vitest';
import { gatheredCalls } from '../../src/application/gatheredCalls.js';

describe('gathered calls', () => {
  it('given calls made in one turn, then one run answers each of them in its order', async () => {
    const runs: number[][] = [];
    const double = gatheredCalls(async (items: readonly number[]) => {
      runs.push([...items]);
      return items.map((n) => n * 2);
    });

    const answers = await Promise.all([1, 2, 3].map(double));

    expect(answers).toEqual([2, 4, 6]);
    expect(runs).toEqual([[1, 2, 3]]);
  });

  it('given calls in different turns, then each turn is a run of its own', async () => {
    const runs: string[][] = [];
    const echo = gatheredCalls(async (items: readonly string[]) => {
      runs.push([...items]);
      return items;
    });

    expect(await echo('a')).toBe('a');
    expect(await Promise.all([echo('b'), echo('c')])).toEqual(['b', 'c']);

    expect(runs).toEqual([['a'], ['b', 'c']]);
  });

  it('given more calls than a run takes, then they are answered in runs of at most that many', async () => {
    const runs: number[] = [];
    const same = gatheredCalls(
      async (items: readonly number[]) => {
        runs.push(items.length);
        return items;
      },
      { most: 4 },
    );

    const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => same(i)));

    expect(answers).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(runs).toEqual([4, 4, 2]);
  });

  it('given a run that fails, then every call of it rejects with its error, and the next turn runs again', async () => {
    let fail = true;
    const flaky = gatheredCalls(async (items: readonly number[]) => {
      if (fail) throw new Error('store down');
      return items;
    });

    const tries = await Promise.allSettled([flaky(1), flaky(2)]);
    fail = false;

    expect(tries).toEqual([
      { status: 'rejected', reason: new Error('store down') },
      { status: 'rejected', reason: new Error('store down') },
    ]);
    expect(await flaky(3)).toBe(3);
  });

  it('given a run that answers fewer items than it was given, then its calls reject rather than resolve to nothing', async () => {
    const short = gatheredCalls(async (items: readonly number[]) => items.slice(1));

    await expect(Promise.all([short(1), short(2)])).rejects.toThrow('one answer per item');
  });

  it('given a window, then calls made in different turns within it share one run', async () => {
    const runs: string[][] = [];
    const echo = gatheredCalls(
      async (items: readonly string[]) => {
        runs.push([...items]);
        return items;
      },
      { windowMs: 50 },
    );

    const first = echo('a');
    await new Promise((resolve) => setImmediate(resolve));
    const second = echo('b');

    expect(await Promise.all([first, second])).toEqual(['a', 'b']);
    expect(runs).toEqual([['a', 'b']]);
  });
});
