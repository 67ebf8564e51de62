import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../../src/application/backoff.js';

const options = (random: number) => ({ baseMs: 1000, maxMs: 300_000, random: () => random });

describe('backoff', () => {
  it('given successive failures, then the ceiling doubles from the base', () => {
    expect([0, 1, 2, 3].map((n) => backoffDelay(n, options(1)))).toEqual([1000, 2000, 4000, 8000]);
  });

  it('given any draw, then the delay stays in the upper half of the ceiling (jitter)', () => {
    expect(backoffDelay(3, options(0))).toBe(4000);
    expect(backoffDelay(3, options(0.5))).toBe(6000);
  });

  it('given many failures, then the delay is capped at five minutes', () => {
    expect(backoffDelay(40, options(1))).toBe(300_000);
    expect(backoffDelay(1000, options(1))).toBe(300_000);
  });
});
