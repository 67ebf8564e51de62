import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { InvalidCursor } from '../../../src/application/documentQuery.js';
import type {
  DocumentCollection,
  DocumentQuery,
  DocumentStore,
  OrderedIndex,
} from '../../../src/application/ports/documentStore.js';

/**
 * What every adapter of the DocumentStore port must do. `open` may be called more than once to get
 * independent clients of the same store.
 */
export type DocumentStoreFixture = {
  open: () => Promise<DocumentStore>;
  cleanup: () => Promise<void>;
};

const docSchema = z.object({
  id: z.string(),
  status: z.string(),
  amount: z.number().int(),
  open: z.boolean(),
  note: z.string().exactOptional(),
  nested: z.object({ refundId: z.string() }).exactOptional(),
  at: z.string().exactOptional(),
});
type Doc = z.infer<typeof docSchema>;

export const documentStoreContract = (
  adapter: string,
  createFixture: () => Promise<DocumentStoreFixture>,
): void => {
  describe(`DocumentStore contract: ${adapter}`, () => {
    let fixture: DocumentStoreFixture;
    let store: DocumentStore;
    let docs: DocumentCollection<Doc>;
    let name: string;
    const stores: DocumentStore[] = [];
    const open = async () => {
      const s = await fixture.open();
      stores.push(s);
      return s;
    };
    const orderedIndexes: OrderedIndex[] = [
      { equal: [], orderBy: 'at', direction: 'desc' },
      { equal: ['status'], orderBy: 'at', direction: 'desc' },
      { equal: ['nested.refundId'], orderBy: 'at', direction: 'desc' },
      { equal: ['status'], orderBy: 'amount', direction: 'asc' },
    ];
    const collectionOf = (s: DocumentStore) =>
      s.collection<Doc>(name, {
        decode: (v) => docSchema.parse(v),
        indexes: ['status', 'open', 'amount'],
        orderedIndexes,
      });
    /** Every page of the query, followed through its cursors. */
    const pages = async (query: Omit<DocumentQuery, 'after'>) => {
      const seen: string[][] = [];
      let after: string | undefined;
      do {
        const page = await docs.query({ ...query, ...(after !== undefined && { after }) });
        seen.push(page.documents.map((d) => d.id));
        after = page.next;
      } while (after !== undefined && seen.length < 100);
      return seen;
    };
    const doc = (id: string, overrides: Partial<Doc> = {}): Doc => ({
      id,
      status: 'REQUESTED',
      amount: 100,
      open: true,
      ...overrides,
    });

    beforeEach(async () => {
      fixture = await createFixture();
      store = await open();
      name = `c_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
      docs = await collectionOf(store);
    });

    afterEach(async () => {
      await docs.drop();
      for (const s of stores.splice(0)) await s.close();
      await fixture.cleanup();
    });

    it('given a written document, then it reads back exactly, with its position', async () => {
      const written = doc('R1', {
        note: '退款 "quoted", comma',
        nested: { refundId: '50000408942018111907145868882' },
      });
      expect(await docs.put('R1', written, 7n)).toBe(true);

      expect(await docs.get('R1')).toEqual(written);
      expect(await docs.getWithPosition('R1')).toEqual({ body: written, position: 7n });
      expect(await docs.get('R2')).toBeUndefined();
      expect(await docs.getWithPosition('R2')).toBeUndefined();
    });

    it('given a document at a position, then a write at the same or an older position is ignored and a newer one wins', async () => {
      await docs.put('R1', doc('R1', { status: 'ACCEPTED' }), 10n);

      expect(await docs.put('R1', doc('R1', { status: 'REQUESTED' }), 9n)).toBe(false);
      expect(await docs.put('R1', doc('R1', { status: 'REQUESTED' }), 10n)).toBe(false);
      expect(await docs.get('R1')).toMatchObject({ status: 'ACCEPTED' });

      expect(await docs.put('R1', doc('R1', { status: 'SUCCEEDED' }), 11n)).toBe(true);
      expect(await docs.getWithPosition('R1')).toMatchObject({
        body: { status: 'SUCCEEDED' },
        position: 11n,
      });
    });

    it('given positions beyond 2^53, then the guard still orders them exactly', async () => {
      const big = 2n ** 60n;
      await docs.put('R1', doc('R1', { amount: 1 }), big + 1n);

      expect(await docs.put('R1', doc('R1', { amount: 2 }), big)).toBe(false);
      expect(await docs.put('R1', doc('R1', { amount: 3 }), big + 2n)).toBe(true);
      expect((await docs.getWithPosition('R1'))?.position).toBe(big + 2n);
    });

    it('given a deleted document, then it is gone, and an older write cannot bring it back', async () => {
      await docs.put('R1', doc('R1'), 1n);

      expect(await docs.delete('R1', 2n)).toBe(true);
      expect(await docs.get('R1')).toBeUndefined();
      expect(await docs.getWithPosition('R1')).toEqual({ body: undefined, position: 2n });
      expect(await docs.put('R1', doc('R1'), 1n)).toBe(false);
      expect(await docs.findBy('status', 'REQUESTED')).toEqual([]);
      expect(await docs.put('R1', doc('R1', { status: 'AGAIN' }), 3n)).toBe(true);
    });

    it('given a batch of writes, then each is applied as put or delete would, with its own guard, and the answer says which were written', async () => {
      await docs.put('kept', doc('kept', { status: 'NEWER' }), 10n);
      await docs.put('gone', doc('gone'), 1n);

      const written = await docs.writeMany([
        { id: 'new', body: doc('new', { amount: 7 }), position: 5n },
        { id: 'kept', body: doc('kept', { status: 'OLDER' }), position: 9n },
        { id: 'gone', body: null, position: 6n },
      ]);

      expect(written).toEqual([true, false, true]);

      expect(await docs.getWithPosition('new')).toEqual({
        body: doc('new', { amount: 7 }),
        position: 5n,
      });
      expect(await docs.get('kept')).toMatchObject({ status: 'NEWER' });
      expect(await docs.getWithPosition('gone')).toEqual({ body: undefined, position: 6n });
      expect(await docs.writeMany([])).toEqual([]);
    });

    it('given two writes to one id in one batch, then they apply in order, each with its guard, as two puts would', async () => {
      const written = await docs.writeMany([
        { id: 'up', body: doc('up', { status: 'FIRST' }), position: 5n },
        { id: 'up', body: doc('up', { status: 'SECOND' }), position: 7n },
        { id: 'down', body: doc('down', { status: 'NEWER' }), position: 7n },
        { id: 'down', body: doc('down', { status: 'OLDER' }), position: 5n },
        { id: 'same', body: doc('same', { status: 'FIRST' }), position: 6n },
        { id: 'same', body: doc('same', { status: 'SECOND' }), position: 6n },
        { id: 'gone', body: doc('gone'), position: 3n },
        { id: 'gone', body: null, position: 4n },
      ]);

      expect(written).toEqual([true, true, true, false, true, false, true, true]);
      expect(await docs.getWithPosition('up')).toEqual({
        body: doc('up', { status: 'SECOND' }),
        position: 7n,
      });
      expect(await docs.getWithPosition('down')).toEqual({
        body: doc('down', { status: 'NEWER' }),
        position: 7n,
      });
      expect(await docs.getWithPosition('same')).toEqual({
        body: doc('same', { status: 'FIRST' }),
        position: 6n,
      });
      expect(await docs.getWithPosition('gone')).toEqual({ body: undefined, position: 4n });
    });

    it('given documents, when finding by an indexed field, then the matching ones come back in id order', async () => {
      await docs.put('b', doc('b', { status: 'ACCEPTED', open: false, amount: 5 }), 1n);
      await docs.put('a', doc('a', { status: 'REQUESTED' }), 2n);
      await docs.put('c', doc('c', { status: 'SUCCEEDED', amount: 5 }), 3n);

      expect((await docs.findBy('status', 'REQUESTED')).map((d) => d.id)).toEqual(['a']);
      expect((await docs.findBy('status', ['REQUESTED', 'ACCEPTED'])).map((d) => d.id)).toEqual([
        'a',
        'b',
      ]);
      expect((await docs.findBy('open', false)).map((d) => d.id)).toEqual(['b']);
      expect((await docs.findBy('amount', 5)).map((d) => d.id)).toEqual(['b', 'c']);
      expect(await docs.findBy('status', [])).toEqual([]);
    });

    it('given more documents than a page, then all() yields each once, in id order', async () => {
      const ids = Array.from({ length: 1234 }, (_, i) => `id-${String(i).padStart(5, '0')}`);
      for (const [i, id] of ids.entries()) await docs.put(id, doc(id), BigInt(i + 1));
      await docs.delete(ids[0]!, 5000n);

      const seen: string[] = [];
      for await (const d of docs.all()) seen.push(d.id);

      expect(seen).toEqual(ids.slice(1));
    });

    it('given documents, then entries() yields each with its own id and position, in id order, whatever the body says', async () => {
      await docs.put('b', doc('b', { amount: 2 }), 7n);
      await docs.put('a', doc('not-a'), 9n);
      await docs.put('c', doc('c'), 3n);
      await docs.delete('c', 4n);

      const seen: { id: string; body: Doc; position: bigint }[] = [];
      for await (const entry of docs.entries()) seen.push(entry);

      expect(seen).toEqual([
        { id: 'a', body: doc('not-a'), position: 9n },
        { id: 'b', body: doc('b', { amount: 2 }), position: 7n },
      ]);
    });

    it('given documents, then getMany answers those it has in one call, a deleted one without a body, and leaves out ids it never had', async () => {
      await docs.put('a', doc('a'), 3n);
      await docs.put('b', doc('b', { amount: 2 }), 5n);
      await docs.put('c', doc('c'), 1n);
      await docs.delete('c', 8n);

      const found = await docs.getMany(['b', 'c', 'nope', 'a']);

      expect(found).toEqual(
        new Map([
          ['a', { body: doc('a'), position: 3n }],
          ['b', { body: doc('b', { amount: 2 }), position: 5n }],
          ['c', { body: undefined, position: 8n }],
        ]),
      );
      expect(await docs.getMany([])).toEqual(new Map());
    });

    it('given more ids than a query takes at once, then getMany still answers each', async () => {
      const ids = Array.from({ length: 2500 }, (_, i) => `id-${i}`);
      await docs.writeMany(ids.map((id, i) => ({ id, body: doc(id), position: BigInt(i + 1) })));

      const found = await docs.getMany([...ids, 'missing']);

      expect(found.size).toBe(2500);
      expect(found.get('id-2499')).toEqual({ body: doc('id-2499'), position: 2500n });
    });

    it('given documents, then positions() pages through their ids and positions, in id order, deleted ones left out', async () => {
      const ids = Array.from({ length: 1234 }, (_, i) => `id-${String(i).padStart(5, '0')}`);
      await docs.writeMany(ids.map((id, i) => ({ id, body: doc(id), position: BigInt(i + 1) })));
      await docs.delete(ids[7]!, 5000n);

      const seen: { id: string; position: bigint }[] = [];
      for (let after: string | undefined; ;) {
        const page = await docs.positions({ ...(after !== undefined && { after }), limit: 500 });
        if (page.length === 0) break;
        expect(page.length).toBeLessThanOrEqual(500);
        seen.push(...page);
        after = page.at(-1)?.id;
      }

      expect(seen).toEqual(
        ids.flatMap((id, i) => (i === 7 ? [] : [{ id, position: BigInt(i + 1) }])),
      );
    });

    it('given a dropped collection, then it is empty and can be used again', async () => {
      await docs.put('R1', doc('R1'), 1n);
      expect(await store.collectionNames()).toContain(name);

      await docs.drop();
      const again = await collectionOf(store);

      expect(await again.get('R1')).toBeUndefined();
      expect(await again.put('R1', doc('R1'), 1n)).toBe(true);
    });

    it('given a document that does not decode, then reading it fails rather than returning it unchecked', async () => {
      await docs.put('R1', doc('R1'), 1n);
      const strict = await store.collection(name, {
        decode: (v) => z.object({ id: z.string(), mustExist: z.string() }).parse(v),
      });

      await expect(strict.get('R1')).rejects.toThrow();
    });

    it('given documents, when querying by the order field descending, then newest first, ties by id ascending, paged exactly by cursor', async () => {
      const at = (n: number) => `2026-11-28T00:00:0${n}.000Z`;
      await docs.writeMany([
        { id: 'e', body: doc('e', { at: at(1) }), position: 1n },
        { id: 'b', body: doc('b', { at: at(2) }), position: 1n },
        { id: 'd', body: doc('d', { at: at(2) }), position: 1n },
        { id: 'a', body: doc('a', { at: at(2) }), position: 1n },
        { id: 'c', body: doc('c', { at: at(3) }), position: 1n },
        { id: 'no-at', body: doc('no-at'), position: 1n },
        { id: 'gone', body: null, position: 1n },
      ]);

      expect(await pages({ orderBy: 'at', direction: 'desc', limit: 2 })).toEqual([
        ['c', 'a'],
        ['b', 'd'],
        ['e'],
      ]);
      expect(await pages({ orderBy: 'at', direction: 'desc', limit: 5 })).toEqual([
        ['c', 'a', 'b', 'd', 'e'],
      ]);
      expect(
        await pages({
          orderBy: 'at',
          direction: 'desc',
          limit: 1,
          range: { min: at(2), max: at(2) },
        }),
      ).toEqual([['a'], ['b'], ['d']]);
    });

    it('given documents, when querying with where fields, then only matching ones, through the index with the most of them', async () => {
      await docs.writeMany([
        {
          id: 'a',
          body: doc('a', { status: 'FAILED', at: '1', nested: { refundId: 'X' } }),
          position: 1n,
        },
        { id: 'b', body: doc('b', { status: 'FAILED', at: '2', open: false }), position: 1n },
        {
          id: 'c',
          body: doc('c', { status: 'SUCCEEDED', at: '3', nested: { refundId: 'X' } }),
          position: 1n,
        },
        {
          id: 'd',
          body: doc('d', { status: 'FAILED', at: '4', nested: { refundId: 'X' } }),
          position: 1n,
        },
      ]);
      const ids = async (query: Omit<DocumentQuery, 'after'>) => (await pages(query)).flat();

      expect(
        await ids({ where: { status: 'FAILED' }, orderBy: 'at', direction: 'desc', limit: 10 }),
      ).toEqual(['d', 'b', 'a']);
      expect(
        await ids({
          where: { status: 'FAILED', 'nested.refundId': 'X' },
          orderBy: 'at',
          direction: 'desc',
          limit: 1,
        }),
      ).toEqual(['d', 'a']);
      expect(
        await ids({
          where: { status: 'FAILED', open: false },
          orderBy: 'at',
          direction: 'desc',
          limit: 10,
        }),
      ).toEqual(['b']);
      expect(
        await ids({ where: { status: 'FAILED' }, orderBy: 'amount', direction: 'asc', limit: 2 }),
      ).toEqual(['a', 'b', 'd']);
      expect(
        await ids({ where: { status: 'NONE' }, orderBy: 'at', direction: 'desc', limit: 10 }),
      ).toEqual([]);
    });

    it('given a cursor it did not give out, or a query no declared index serves, then query refuses', async () => {
      await docs.put('a', doc('a', { at: '1' }), 1n);

      for (const after of [
        'not a cursor!',
        'bm90IGpzb24',
        Buffer.from('[1]').toString('base64url'),
      ]) {
        await expect(
          docs.query({ orderBy: 'at', direction: 'desc', limit: 1, after }),
        ).rejects.toThrow(InvalidCursor);
      }
      await expect(docs.query({ orderBy: 'at', direction: 'asc', limit: 1 })).rejects.toThrow(
        /no ordered index/,
      );
      await expect(docs.query({ orderBy: 'amount', direction: 'asc', limit: 1 })).rejects.toThrow(
        /no ordered index/,
      );
    });

    it('given an open store, then it reports itself healthy', async () => {
      expect(await store.health()).toEqual({ ok: true });
    });

    it('given writes through one client, then another client and a reopened store see them', async () => {
      await docs.put('R1', doc('R1', { amount: 42 }), 1n);

      const other = await collectionOf(await open());
      expect(await other.get('R1')).toMatchObject({ amount: 42 });
      expect(await other.put('R1', doc('R1', { amount: 43 }), 1n)).toBe(false);

      await store.close();
      stores.splice(stores.indexOf(store), 1);
      store = await open();
      docs = await collectionOf(store);
      expect(await docs.getWithPosition('R1')).toEqual({
        body: doc('R1', { amount: 42 }),
        position: 1n,
      });
      expect(await docs.findBy('amount', 42)).toEqual([doc('R1', { amount: 42 })]);
    });
  });
};
