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
  /**
   * Makes the store's next positions larger than the given one, where the adapter can (the
   * embedded log: its position counter). EventStoreDB's positions are byte offsets in its log:
   * reaching 2^53 would take writing 9 PB, so its fixture cannot.
   */
  advancePositionsBeyond?: (position: bigint) => Promise<void>;
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
      // Each loss is a conflict with another appender that won, so 20 appenders need at most 20
      // tries each; a broken adapter that never lets one win fails here instead of hanging.
      const appendWithRetry = async (client: EventStore, n: number): Promise<void> => {
        for (let attempt = 1; attempt <= 20; attempt++) {
          const read = await client.readStream(name);
          const expected = read.at(-1)?.revision ?? 'no_stream';
          const result = await client.append(name, [event('Counted', { n })], expected);
          if (result.ok) return;
        }
        throw new Error(`appender ${n} lost 20 races in a row`);
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

    it('given an append retried with the same ids at the same expected revision, then it is acknowledged as the first was and the log holds one copy', async () => {
      const name = stream();
      const opening = [event('Opened'), event('Noted')];
      const first = await store.append(name, opening, 'no_stream');
      const again = await store.append(name, opening, 'no_stream');
      const next = [event('Changed')];
      const third = await store.append(name, next, 1n);
      const thirdAgain = await store.append(name, next, 1n);

      expect(first).toMatchObject({ ok: true, nextExpectedRevision: 1n });
      expect(again).toEqual(first);
      expect(third).toMatchObject({ ok: true, nextExpectedRevision: 2n });
      expect(thirdAgain).toEqual(third);
      expect((await store.readStream(name)).map((e) => e.id)).toEqual(
        [...opening, ...next].map((e) => e.id),
      );
    });

    it('given an append whose ids only partly match what follows the expected revision, then it is a conflict and nothing is written', async () => {
      const name = stream();
      const opening = [event('Opened'), event('Noted')];
      await store.append(name, opening, 'no_stream');

      expect(await store.append(name, [opening[0]!, event('Other')], 'no_stream')).toEqual({
        ok: false,
        reason: 'conflict',
        actualRevision: 1n,
      });
      expect(await store.append(name, [...opening, event('More')], 'no_stream')).toEqual({
        ok: false,
        reason: 'conflict',
        actualRevision: 1n,
      });
      expect((await store.readStream(name)).map((e) => e.id)).toEqual(opening.map((e) => e.id));
    });

    it('given streams whose ids contain dashes, then they are in the category up to the first dash, and no other', async () => {
      await store.append(stream('R-1'), [event('Dashed')], 'no_stream');
      await store.append(`${category}x-R1`, [event('LongerName')], 'no_stream');
      await store.append(category, [event('NoDash')], 'no_stream');

      expect((await store.readCategory(category, { limit: 10 })).map((e) => e.type)).toEqual([
        'Dashed',
      ]);
      await expect(store.readCategory(`${category}-R`, { limit: 10 })).rejects.toThrow(/category/);
      await expect(store.headPosition(`${category}-R`)).rejects.toThrow(/category/);
    });

    it('given a position beyond 2^53 to read after, then it is compared exactly: nothing lies past the log', async () => {
      await store.append(stream(), [event('A')], 'no_stream');

      expect(await store.readCategory(category, { after: 2n ** 53n + 1n, limit: 10 })).toEqual([]);
      expect((await store.headPosition(category))! < 2n ** 53n).toBe(true);
    });

    it('given a log whose positions passed 2^53, then appends, reads, paging and the head keep each position exact', async (context) => {
      const advance = fixture.advancePositionsBeyond;
      if (!advance) return context.skip('the adapter cannot reach them in a test');
      const beyond = 2n ** 53n;
      await advance(beyond);
      const name = stream();
      const result = await store.append(name, [event('A'), event('B'), event('C')], 'no_stream');

      const read = await store.readCategory(category, { limit: 10 });
      const positions = read.map((e) => e.position);
      expect(positions.every((p) => p > beyond)).toBe(true);
      expect(new Set(positions).size).toBe(3);
      expect(result).toMatchObject({ ok: true, position: positions[2] });
      expect(
        (await store.readCategory(category, { after: positions[0]!, limit: 1 })).map((e) => e.type),
      ).toEqual(['B']);
      expect(await store.readCategory(category, { after: positions[2]!, limit: 10 })).toEqual([]);
      expect(await store.headPosition(category)).toBe(positions[2]);
      expect((await store.readStream(name)).map((e) => e.position)).toEqual(positions);
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
