import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EventStore, EventToAppend } from '../../../src/application/ports/eventStore.js';

/**
 * What every adapter of the EventStore port must do. Each adapter's test file calls this with a
 * fixture; `open` may be called several times to get independent clients of the same store.
 */
export type EventStoreFixture = {
  open: () => Promise<EventStore>;
  cleanup: () => Promise<void>;
};

const unique = (): string => randomUUID().replaceAll('-', '').slice(0, 12);

const event = (type: string, data: EventToAppend['data'] = {}): EventToAppend => ({
  id: randomUUID(),
  type,
  data,
  metadata: { correlationId: 'c-1', causationId: 'c-1', source: 'api', schemaVersion: 1 },
});

export const eventStoreContract = (
  adapter: string,
  createFixture: () => Promise<EventStoreFixture>,
): void => {
  describe(`EventStore contract: ${adapter}`, () => {
    let fixture: EventStoreFixture;
    let store: EventStore;
    const opened: EventStore[] = [];
    const open = async (): Promise<EventStore> => {
      const s = await fixture.open();
      opened.push(s);
      return s;
    };
    // Streams and categories are unique per test so that a shared server keeps tests apart.
    let category: string;
    const stream = (name = unique()): string => `${category}-${name}`;

    beforeEach(async () => {
      fixture = await createFixture();
      store = await open();
      category = `c${unique()}`;
    });

    afterEach(async () => {
      for (const s of opened.splice(0)) await s.close();
      await fixture.cleanup();
    });

    it('given no stream, when reading it, then it is empty', async () => {
      expect(await store.readStream(stream())).toEqual([]);
    });

    it('given no stream, when appending with no_stream, then the events are stored from revision 0', async () => {
      const name = stream();
      const first = event('Opened', { amount: 3960, note: '退款 "quoted", comma' });
      const result = await store.append(name, [first, event('Noted')], 'no_stream');

      expect(result).toMatchObject({ ok: true, nextExpectedRevision: 1n });
      const read = await store.readStream(name);
      expect(read.map((e) => [e.type, e.revision])).toEqual([
        ['Opened', 0n],
        ['Noted', 1n],
      ]);
      expect(read[0]).toMatchObject({
        id: first.id,
        streamName: name,
        data: first.data,
        metadata: first.metadata,
      });
      expect(typeof read[0]!.position).toBe('bigint');
      expect(read[1]!.position).toBeGreaterThan(read[0]!.position);
      expect(new Date(read[0]!.recordedAt).toISOString()).toBe(read[0]!.recordedAt);
      if (result.ok) expect(result.position).toBe(read[1]!.position);
    });

    it('given a stream, when appending with no_stream, then it is a conflict and nothing is written', async () => {
      const name = stream();
      await store.append(name, [event('Opened')], 'no_stream');

      const result = await store.append(name, [event('Again'), event('More')], 'no_stream');

      expect(result).toEqual({ ok: false, reason: 'conflict', actualRevision: 0n });
      expect((await store.readStream(name)).map((e) => e.type)).toEqual(['Opened']);
    });

    it('given a stream, when appending at a stale revision, then it is a conflict; at its revision, it appends', async () => {
      const name = stream();
      await store.append(name, [event('A'), event('B')], 'no_stream');

      expect(await store.append(name, [event('C')], 0n)).toEqual({
        ok: false,
        reason: 'conflict',
        actualRevision: 1n,
      });
      expect(await store.append(name, [event('C')], 1n)).toMatchObject({
        ok: true,
        nextExpectedRevision: 2n,
      });
    });

    it('given no stream, when appending at an exact revision, then it is a conflict', async () => {
      expect(await store.append(stream(), [event('A')], 0n)).toEqual({
        ok: false,
        reason: 'conflict',
        actualRevision: 'no_stream',
      });
    });

    it('given many concurrent appenders at the same expected revision, then exactly one wins', async () => {
      const name = stream();
      const results = await Promise.all(
        Array.from({ length: 25 }, (_, i) =>
          store.append(name, [event('Opened', { by: i })], 'no_stream'),
        ),
      );

      expect(results.filter((r) => r.ok)).toHaveLength(1);
      expect(await store.readStream(name)).toHaveLength(1);
    });

    it('given concurrent appenders on different streams, then all are stored with distinct positions', async () => {
      const names = Array.from({ length: 30 }, () => stream());
      const results = await Promise.all(
        names.map((name) => store.append(name, [event('A'), event('B')], 'no_stream')),
      );

      expect(results.every((r) => r.ok)).toBe(true);
      const all = await store.readCategory(category, { limit: 1000 });
      expect(all).toHaveLength(60);
      expect(new Set(all.map((e) => e.position)).size).toBe(60);
    });

    it('given two clients of the same store, when they race optimistic appends, then no append is lost', async () => {
      const other = await open();
      const name = stream();
      const appendWithRetry = async (client: EventStore, n: number): Promise<void> => {
        for (;;) {
          const read = await client.readStream(name);
          const expected = read.at(-1)?.revision ?? 'no_stream';
          const result = await client.append(name, [event('Counted', { n })], expected);
          if (result.ok) return;
        }
      };

      await Promise.all(
        Array.from({ length: 20 }, (_, n) => appendWithRetry(n % 2 === 0 ? store : other, n)),
      );

      const read = await store.readStream(name);
      expect(read.map((e) => e.revision)).toEqual(Array.from({ length: 20 }, (_, i) => BigInt(i)));
      expect(new Set(read.map((e) => e.data['n'])).size).toBe(20);
    });

    it('given events in several categories, when reading a category, then only its events come, in position order, paged after a position', async () => {
      const a = stream('a');
      const b = stream('b');
      await store.append(a, [event('A0')], 'no_stream');
      await store.append(`other${unique()}-x`, [event('Elsewhere')], 'no_stream');
      await store.append(b, [event('B0'), event('B1')], 'no_stream');
      await store.append(a, [event('A1')], 0n);

      const all = await store.readCategory(category, { limit: 100 });
      expect(all.map((e) => e.type)).toEqual(['A0', 'B0', 'B1', 'A1']);
      const positions = all.map((e) => e.position);
      expect([...positions].sort((x, y) => (x < y ? -1 : 1))).toEqual(positions);

      const firstPage = await store.readCategory(category, { limit: 2 });
      const secondPage = await store.readCategory(category, {
        after: firstPage.at(-1)!.position,
        limit: 2,
      });
      expect([...firstPage, ...secondPage].map((e) => e.type)).toEqual(['A0', 'B0', 'B1', 'A1']);
      expect(
        await store.readCategory(category, { after: all.at(-1)!.position, limit: 10 }),
      ).toEqual([]);
      expect(await store.headPosition(category)).toBe(all.at(-1)!.position);
      expect(await store.headPosition(`none${unique()}`)).toBeUndefined();
    });

    it('given a listener, when events are appended, then it is told', async () => {
      let calls = 0;
      const stop = store.onAppended(() => {
        calls += 1;
      });
      await store.append(stream(), [event('A')], 'no_stream');
      expect(calls).toBeGreaterThan(0);

      stop();
      const before = calls;
      await store.append(stream(), [event('B')], 'no_stream');
      expect(calls).toBe(before);
    });

    it('given an open store, then it reports itself healthy', async () => {
      expect(await store.health()).toEqual({ ok: true });
    });

    it('given appended events, when the store is closed and reopened, then they are all there', async () => {
      const name = stream();
      await store.append(
        name,
        [event('A', { refundId: '50000408942018111907145868882' })],
        'no_stream',
      );
      await store.append(name, [event('B')], 0n);
      await store.close();
      opened.splice(opened.indexOf(store), 1);

      const reopened = await open();
      const read = await reopened.readStream(name);
      expect(read.map((e) => e.type)).toEqual(['A', 'B']);
      expect(read[0]!.data).toEqual({ refundId: '50000408942018111907145868882' });
    });
  });
};
