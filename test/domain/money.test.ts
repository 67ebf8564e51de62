import { describe, expect, it } from 'vitest';
import { addFen, isFen, maxFen } from '../../src/domain/index.js';

describe('money in fen', () => {
  it('given 1 to 2,147,483,647, then it is an amount; 0, fractions and anything larger are not', () => {
    expect([1, maxFen].map(isFen)).toEqual([true, true]);
    expect([0, -1, 1.5, maxFen + 1, 2 ** 53, Number.NaN, '100'].map(isFen)).toEqual(
      Array.from({ length: 7 }, () => false),
    );
  });

  it('given sums within 2^53, then addFen is exact', () => {
    expect(addFen(2 ** 53 - 2, 1)).toBe(Number.MAX_SAFE_INTEGER);
    expect(Array.from({ length: 50 }, () => maxFen).reduce(addFen, 0)).toBe(107_374_182_350);
  });

  it('given a sum past 2^53, then addFen throws rather than round', () => {
    expect(() => addFen(Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER)).toThrow(RangeError);
  });
});
