import { describe, expect, it } from 'vitest';
import { inSlices, yieldToEventLoop } from '../../src/application/yieldToEventLoop.js';

describe('working through items in slices', () => {
  it('given items, when stepped through in slices, then each is stepped once, in order, awaited before the next', async () => {
    const stepped: number[] = [];

    await inSlices([1, 2, 3, 4, 5], 2, async (n) => {
      await yieldToEventLoop();
      stepped.push(n);
    });

    expect(stepped).toEqual([1, 2, 3, 4, 5]);
  });

  it('given a macrotask scheduled within a slice, then it runs once that slice is over, before the next one', async () => {
    const happened: string[] = [];

    await inSlices(
      Array.from({ length: 40 }, (_, i) => i),
      16,
      (n) => {
        if (n === 0) setImmediate(() => happened.push('turn'));
        happened.push(String(n));
      },
    );

    expect(happened.slice(15, 18)).toEqual(['15', 'turn', '16']);
    expect(happened).toHaveLength(41);
  });
});
