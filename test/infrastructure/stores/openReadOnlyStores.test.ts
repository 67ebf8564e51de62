import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { refundCategory } from '../../../src/application/refundEventCodec.js';
import {
  openReadOnlyDocumentStore,
  openReadOnlyEventStore,
} from '../../../src/infrastructure/stores/openReadOnlyStores.js';
import { StoreUnavailable } from '../../../src/application/ports/storeHealth.js';
import { createSqliteDocumentStore } from '../../../src/infrastructure/sqlite/sqliteDocumentStore.js';
import { createSqliteEventStore } from '../../../src/infrastructure/sqlite/sqliteEventStore.js';
import { writeRandomRefunds } from '../../../bench/support/randomRefunds.js';
import { tempDirPerTest, testConfig } from '../../support/fixtures.js';
import { closedPort } from '../../support/closedPort.js';

describe('the stores opened read-only', () => {
  const temp = tempDirPerTest();

  const config = (env: NodeJS.ProcessEnv | string = {}) =>
    testConfig(typeof env === 'string' ? { DATA_DIR: env } : { DATA_DIR: temp.dir, ...env });
  const decode = (value: unknown) => z.object({ value: z.string() }).parse(value);
  const someEvent = { id: 'e', type: 't', data: {}, metadata: {} };

  it('given a DATA_DIR that does not exist, then StoreUnavailable and nothing is created', () => {
    const missing = path.join(temp.dir, 'nowhere');

    expect(() => openReadOnlyEventStore(config(missing))).toThrow(StoreUnavailable);
    expect(existsSync(missing)).toBe(false);
  });

  it('given a DATA_DIR without events.db, then StoreUnavailable and no empty store is left behind', () => {
    expect(() => openReadOnlyEventStore(config())).toThrow(/events\.db/);
    expect(readdirSync(temp.dir)).toEqual([]);
  });

  it('given an events.db that is not an event log, then StoreUnavailable', () => {
    writeFileSync(path.join(temp.dir, 'events.db'), 'not a database '.repeat(100));
    expect(() => openReadOnlyEventStore(config())).toThrow(StoreUnavailable);

    const other = createSqliteDocumentStore({ file: path.join(temp.dir, 'other', 'events.db') });
    void other.close();
    expect(() => openReadOnlyEventStore(config(path.join(temp.dir, 'other')))).toThrow(
      /no events table/,
    );
  });

  it('given a log written and closed, when read read-only, then it reads the same events and refuses appends', async () => {
    const file = path.join(temp.dir, 'events.db');
    const writer = createSqliteEventStore({ file });
    await writeRandomRefunds(writer, 20);
    const written = await writer.readCategory(refundCategory, { limit: 1000 });
    await writer.close();

    const reader = openReadOnlyEventStore(config());
    try {
      expect(await reader.readCategory(refundCategory, { limit: 1000 })).toEqual(written);
      expect(await reader.headPosition(refundCategory)).toBe(written.at(-1)?.position);
      await expect(
        reader.append('refund-X', [{ id: 'e', type: 't', data: {}, metadata: {} }], 'no_stream'),
      ).rejects.toThrow(/read-only/);
    } finally {
      await reader.close();
    }
  });

  it('given a writer that keeps appending, when a reader reads meanwhile, then both go on: the reader sees each commit', async () => {
    const file = path.join(temp.dir, 'events.db');
    const writer = createSqliteEventStore({ file });
    await writeRandomRefunds(writer, 5);
    const reader = openReadOnlyEventStore(config());
    try {
      const before = await reader.headPosition(refundCategory);
      await writeRandomRefunds(writer, 5, { prefix: 'more-' });
      const after = await reader.headPosition(refundCategory);

      expect(after).toBe(await writer.headPosition(refundCategory));
      expect(after! > before!).toBe(true);
    } finally {
      await reader.close();
      await writer.close();
    }
  });

  it('given no read.db, then there is no read-model store and none is created', () => {
    expect(openReadOnlyDocumentStore(config())).toBeUndefined();
    expect(existsSync(path.join(temp.dir, 'read.db'))).toBe(false);
  });

  it('given a read.db, when read read-only, then a collection it lacks is empty and writes are refused', async () => {
    const file = path.join(temp.dir, 'read.db');
    const writer = createSqliteDocumentStore({ file });
    const decode = (value: unknown) => z.object({ value: z.string() }).parse(value);
    await (await writer.collection('things', { decode })).put('a', { value: 'x' }, 1n);
    await writer.close();

    const reader = openReadOnlyDocumentStore(config())!;
    try {
      const things = await reader.collection('things', { decode });
      expect(await things.getWithPosition('a')).toEqual({ body: { value: 'x' }, position: 1n });
      await expect(things.put('b', { value: 'z' }, 2n)).rejects.toThrow();

      const absent = await reader.collection('absent', { decode });
      expect(await absent.get('a')).toBeUndefined();
      await expect(absent.put('a', { value: 'y' }, 1n)).rejects.toThrow(/read-only/);
      expect(await reader.collectionNames()).toEqual(['things']);
    } finally {
      await reader.close();
    }
  });

  it('given a log on EventStoreDB and read models in DATA_DIR, when the log is opened read-only, then nothing is created in DATA_DIR and an append is refused before reaching the server', async () => {
    const reader = openReadOnlyEventStore(
      config({
        EVENT_STORE: 'esdb',
        ESDB_CONNECTION_STRING: `esdb://127.0.0.1:${await closedPort()}?tls=false`,
      }),
    );
    try {
      await expect(reader.append('refund-X', [someEvent], 'no_stream')).rejects.toThrow(
        /read-only/,
      );
      expect(readdirSync(temp.dir)).toEqual([]);
    } finally {
      await reader.close();
    }
  });

  it('given read models on MongoDB, when opened read-only, then collections open without the server and writes are refused before reaching it', async () => {
    const reader = openReadOnlyDocumentStore(
      config({
        READ_STORE: 'mongo',
        MONGO_URL: `mongodb://127.0.0.1:${await closedPort()}/?serverSelectionTimeoutMS=200`,
      }),
    )!;
    try {
      const views = await reader.collection('views', { decode, indexes: ['value'] });
      await expect(views.put('a', { value: 'x' }, 1n)).rejects.toThrow(/read-only/);
      await expect(views.get('a')).rejects.toThrow(StoreUnavailable);
      expect(readdirSync(temp.dir)).toEqual([]);
    } finally {
      await reader.close();
    }
  });
});
