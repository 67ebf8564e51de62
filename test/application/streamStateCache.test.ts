import { describe, expect, it } from 'vitest';
import { initialRefund } from '../../src/domain/index.js';
import { createStreamStateCache } from '../../src/application/streamStateCache.js';

const stream = (revision: bigint) => ({ history: [], state: initialRefund, revision });

describe('the stream state cache', () => {
  it('given more streams than its limit, then the least recently used is forgotten first', () => {
    const cache = createStreamStateCache(2);
    cache.set('refund-A', stream(0n));
    cache.set('refund-B', stream(0n));
    cache.get('refund-A');

    cache.set('refund-C', stream(0n));

    expect(cache.size).toBe(2);
    expect(cache.get('refund-B')).toBeUndefined();
    expect(cache.get('refund-A')?.revision).toBe(0n);
    expect(cache.get('refund-C')?.revision).toBe(0n);
  });

  it('given a stream set again, then it holds the newer state and counts once', () => {
    const cache = createStreamStateCache(2);
    cache.set('refund-A', stream(0n));

    cache.set('refund-A', stream(1n));

    expect(cache.size).toBe(1);
    expect(cache.get('refund-A')?.revision).toBe(1n);
  });

  it('given an evicted stream, then it is no longer served', () => {
    const cache = createStreamStateCache();
    cache.set('refund-A', stream(0n));

    cache.evict('refund-A');

    expect(cache.get('refund-A')).toBeUndefined();
  });
});
