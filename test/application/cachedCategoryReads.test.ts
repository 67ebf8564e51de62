import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cachedCategoryReads } from '../../src/application/cachedCategoryReads.js';
import { sqliteStoresPerTest } from '../support/fixtures.js';

const metadata = { correlationId: 'c', causationId: 'c', source: 'cli', schemaVersion: 1 };

describe('cached category reads', () => {
  const stores = sqliteStoresPerTest();

  const append = (stream: string) =>
    stores.events.append(
      stream,
      [{ id: randomUUID(), type: 'E', data: {}, metadata }],
      'no_stream',
    );

  it('given appends and readers at random positions with random page sizes, then every read equals what the store answers', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.oneof(
            fc.record({ kind: fc.constant('append' as const), other: fc.boolean() }),
            fc.record({
              kind: fc.constant('read' as const),
              back: fc.nat(40),
              limit: fc.integer({ min: 1, max: 30 }),
            }),
          ),
          { maxLength: 80 },
        ),
        fc.integer({ min: 1, max: 25 }),
        async (steps, capacity) => {
          const cached = cachedCategoryReads(stores.events, 'refund', capacity);
          for (const step of steps) {
            if (step.kind === 'append') {
              await append(`${step.other ? 'other' : 'refund'}-${randomUUID()}`);
              continue;
            }
            const head = (await stores.events.headPosition('refund')) ?? 0n;
            const after = head - BigInt(step.back);
            const options = after > 0n ? { after, limit: step.limit } : { limit: step.limit };
            expect(await cached.readCategory('refund', options)).toEqual(
              await stores.events.readCategory('refund', options),
            );
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('given readers following the head, then the second reader of a page is served the very same events', async () => {
    const cached = cachedCategoryReads(stores.events, 'refund');
    await append('refund-1');
    await append('refund-2');

    const first = await cached.readCategory('refund', { limit: 10 });
    const second = await cached.readCategory('refund', { limit: 10 });

    expect(second).toHaveLength(2);
    expect(second[0]).toBe(first[0]);
  });

  it('given two readers extending the cache at the head at once, then no event is cached twice', async () => {
    await append('refund-1');
    const cached = cachedCategoryReads(stores.events, 'refund');
    await cached.readCategory('refund', { limit: 10 });
    await append('refund-2');
    await append('refund-3');

    // Both find the cache short and read on from its end concurrently.
    await Promise.all([
      cached.readCategory('refund', { limit: 10 }),
      cached.readCategory('refund', { limit: 10 }),
    ]);

    const again = await cached.readCategory('refund', { limit: 10 });
    expect(again.map((e) => e.streamName)).toEqual(['refund-1', 'refund-2', 'refund-3']);
  });
});
