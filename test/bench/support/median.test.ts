import { describe, expect, it } from 'vitest';
import { median } from '../../../bench/support/median.js';

describe('median', () => {
  it('given an odd count, then the middle one in order', () => {
    expect(median([9, 1, 5])).toBe(5);
  });

  it('given an even count, then the mean of the middle two', () => {
    expect(median([300, 100])).toBe(200);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('given none, then NaN (no figure, not a zero)', () => {
    expect(median([])).toBeNaN();
  });
});
