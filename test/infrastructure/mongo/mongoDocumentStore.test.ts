import { randomUUID } from 'node:crypto';
import { MongoClient } from 'mongodb';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { DocumentStore } from '../../../src/application/ports/documentStore.js';
import { StoreUnavailable } from '../../../src/application/ports/storeHealth.js';
import { findByFilter } from '../../../src/infrastructure/mongo/mongoDocumentCodec.js';
import { createMongoDocumentStore } from '../../../src/infrastructure/mongo/mongoDocumentStore.js';
import { storeTarget } from '../../../src/infrastructure/stores/storeTarget.js';
import { documentStoreContract } from '../../application/ports/documentStoreContract.js';
import { webhookStoreContract } from '../../application/webhooks/webhookStoreContract.js';
import { closedPort } from '../../support/closedPort.js';
import { serverFrom } from '../../support/serverGate.js';
import { startSilentServer } from '../../support/silentServer.js';

const openMongo = (url: string, dbName: string) =>
  createMongoDocumentStore({ client: new MongoClient(url), dbName, target: storeTarget(url) });

const uniqueDb = () => `refunds_test_${randomUUID().replaceAll('-', '').slice(0, 12)}`;

const docSchema = z.object({ id: z.string(), status: z.string() });

const url = serverFrom('MONGO_URL', 'the MongoDB contract suite');

if (url) {
  documentStoreContract('MongoDB', () => {
    const dbName = uniqueDb();
    return Promise.resolve({
      open: () => Promise.resolve(openMongo(url, dbName)),
      cleanup: async () => {
        const admin = new MongoClient(url);
        await admin.db(dbName).dropDatabase();
        await admin.close();
      },
    });
  });

  webhookStoreContract('MongoDB', () => {
    const dbName = uniqueDb();
    return Promise.resolve({
      open: () => Promise.resolve(openMongo(url, dbName)),
      cleanup: async () => {
        const admin = new MongoClient(url);
        await admin.db(dbName).dropDatabase();
        await admin.close();
      },
    });
  });

  describe('MongoDB adapter on a server', () => {
    const dbName = uniqueDb();
    const stores: DocumentStore[] = [];
    const open = () => {
      const store = openMongo(url, dbName);
      stores.push(store);
      return store;
    };
    afterEach(async () => {
      for (const store of stores.splice(0)) await store.close();
      const admin = new MongoClient(url);
      await admin.db(dbName).dropDatabase();
      await admin.close();
    });

    it('given an indexed field, then findBy’s query is answered from its index', async () => {
      const docs = await open().collection('views', {
        decode: (v) => docSchema.parse(v),
        indexes: ['status'],
      });
      for (let i = 0; i < 50; i++) {
        await docs.put(`R${i}`, { id: `R${i}`, status: i % 2 ? 'ACCEPTED' : 'REQUESTED' }, 1n);
      }

      const admin = new MongoClient(url);
      const plan = await admin
        .db(dbName)
        .collection('views')
        .find(findByFilter('status', ['ACCEPTED']))
        .sort({ _id: 1 })
        .explain('queryPlanner');
      await admin.close();

      expect(JSON.stringify(plan)).toContain('"indexName":"body_status"');
      expect(JSON.stringify(plan)).not.toContain('COLLSCAN');
    });

    it('given writers racing on a new document from two clients, then the highest position wins, and of writers racing at one position only one says it wrote', async () => {
      const [a, b] = await Promise.all(
        [open(), open()].map((store) =>
          store.collection('race', { decode: (v) => docSchema.parse(v) }),
        ),
      );
      const positions = Array.from({ length: 20 }, (_, i) => BigInt(i + 1) + 2n ** 60n);

      const results = await Promise.all(
        positions.map((p, i) => (i % 2 ? a! : b!).put('R1', { id: 'R1', status: `S${p}` }, p)),
      );
      const atOnePosition = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          (i % 2 ? a! : b!).put('R2', { id: 'R2', status: `W${i}` }, 7n),
        ),
      );

      expect(results.at(-1)).toBe(true);
      expect(await a!.getWithPosition('R1')).toEqual({
        body: { id: 'R1', status: `S${positions.at(-1)}` },
        position: positions.at(-1),
      });
      expect(atOnePosition.filter((written) => written)).toHaveLength(1);
      expect(await b!.get('R2')).toEqual({
        id: 'R2',
        status: `W${atOnePosition.indexOf(true)}`,
      });
    });

    it('given a store opened read-only, when its collections are read, then nothing is created on the server and writes are refused', async () => {
      const reader = createMongoDocumentStore({
        client: new MongoClient(url),
        dbName,
        target: storeTarget(url),
        readonly: true,
      });
      stores.push(reader);
      const views = await reader.collection('views', {
        decode: (v) => docSchema.parse(v),
        indexes: ['status'],
      });

      expect(await views.get('R1')).toBeUndefined();
      expect(await views.findBy('status', 'REQUESTED')).toEqual([]);
      await expect(views.put('R1', { id: 'R1', status: 'REQUESTED' }, 1n)).rejects.toThrow(
        /read-only/,
      );
      await expect(views.drop()).rejects.toThrow(/read-only/);
      expect(await reader.collectionNames()).toEqual([]);
    });

    it('given a healthy server, then health is ok', async () => {
      expect(await open().health()).toEqual({ ok: true });
    });
  });
}

describe('MongoDB adapter when the server does not answer', () => {
  let store: DocumentStore | undefined;
  afterEach(async () => {
    await store?.close();
  });

  it('given a closed port, then health says unreachable, collections still open, and operations fail with StoreUnavailable', async () => {
    const port = await closedPort();
    store = openMongo(
      `mongodb://reader:s3cret@127.0.0.1:${port}/?serverSelectionTimeoutMS=200`,
      'refunds',
    );

    const health = await store.health();
    expect(health).toMatchObject({ ok: false });
    expect(health.ok || health.reason).toMatch(
      new RegExp(`^MongoDB at mongodb://127\\.0\\.0\\.1:${port} unreachable: .*ECONNREFUSED`),
    );
    expect(health.ok || health.reason).not.toContain('s3cret');
    const docs = await store.collection('views', {
      decode: (v) => docSchema.parse(v),
      indexes: ['status'],
    });
    await expect(docs.get('R1')).rejects.toThrow(StoreUnavailable);
    await expect(docs.put('R1', { id: 'R1', status: 'REQUESTED' }, 1n)).rejects.toThrow(
      StoreUnavailable,
    );
    await expect(store.collectionNames()).rejects.toThrow(StoreUnavailable);
  });

  it('given a server that accepts connections but never answers, then health says so within its timeout', async () => {
    const hung = await startSilentServer();
    const url = `mongodb://127.0.0.1:${hung.port}/?serverSelectionTimeoutMS=5000`;
    store = createMongoDocumentStore({
      client: new MongoClient(url),
      dbName: 'refunds',
      target: storeTarget(url),
      healthTimeoutMs: 200,
    });

    expect(await store.health()).toEqual({
      ok: false,
      reason: `MongoDB at mongodb://127.0.0.1:${hung.port} unreachable: the server did not answer within 200 ms`,
    });
    await store.close();
    store = undefined;
    await hung.close();
  });

  it('given a first connection that failed, then every later operation tries to connect again (the driver alone would stay closed)', async () => {
    const port = await closedPort();
    store = openMongo(`mongodb://127.0.0.1:${port}/?serverSelectionTimeoutMS=200`, 'refunds');
    const docs = await store.collection('views', { decode: (v) => docSchema.parse(v) });

    for (let attempt = 0; attempt < 3; attempt++) {
      const failure = await docs.get('R1').then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(failure).toBeInstanceOf(StoreUnavailable);
      // A new attempt each time: the server's refusal, not "Topology is closed".
      expect(failure).toHaveProperty('message', expect.stringContaining('ECONNREFUSED'));
    }
  });
});

/**
 * The slice of the MongoDB client the store uses, recording every operation it is asked for and
 * answering as an empty database would: what the read-only mode sends can be checked here, where
 * no server runs (the gated suite checks it against one).
 */
const recordingClient = () => {
  const operations: string[] = [];
  const cursor = {
    sort: () => cursor,
    limit: () => cursor,
    toArray: () => Promise.resolve([]),
  };
  const recorded =
    (scope: string, answer: (name: string) => unknown) =>
    (name: string) =>
    (..._args: unknown[]) => {
      operations.push(`${scope}.${name}`);
      return answer(name);
    };
  const collectionOperation = recorded('collection', (name) =>
    name === 'find' ? cursor : Promise.resolve(name === 'findOne' ? null : { acknowledged: true }),
  );
  const dbOperation = recorded('db', (name) =>
    name === 'listCollections' ? cursor : Promise.resolve({ ok: 1 }),
  );
  const collection = new Proxy({}, { get: (_, name) => collectionOperation(String(name)) });
  const db = new Proxy(
    {},
    { get: (_, name) => (name === 'collection' ? () => collection : dbOperation(String(name))) },
  );
  const client = {
    connect: () => Promise.resolve(client),
    db: () => db,
    close: () => Promise.resolve(),
  };
  return { client: client as unknown as MongoClient, operations };
};

describe('MongoDB adapter opened read-only', () => {
  const open = (readonly: boolean) => {
    const recording = recordingClient();
    const store = createMongoDocumentStore({
      client: recording.client,
      dbName: 'refunds',
      target: 'mongodb://db',
      readonly,
    });
    return { store, operations: recording.operations };
  };
  const options = { decode: (v: unknown) => docSchema.parse(v), indexes: ['status'] };

  it('given a store opened read-only, when everything is read, then only reads reach the client, and every write is refused', async () => {
    const { store, operations } = open(true);

    const views = await store.collection('views', options);
    await views.get('R1');
    await views.getWithPosition('R1');
    await views.findBy('status', ['REQUESTED']);
    for await (const entry of views.entries()) expect(entry).toBeUndefined();
    await store.collectionNames();
    for (const write of [
      views.put('R1', { id: 'R1', status: 'X' }, 1n),
      views.delete('R1', 2n),
      views.writeMany([{ id: 'R1', body: null, position: 3n }]),
      views.drop(),
    ]) {
      await expect(write).rejects.toThrow(/read-only/);
    }

    expect([...new Set(operations)].sort()).toEqual([
      'collection.find',
      'collection.findOne',
      'db.listCollections',
    ]);
  });

  it('given the same store opened for writing, then opening a collection creates its indexes (what the read-only mode leaves out)', async () => {
    const { store, operations } = open(false);

    await store.collection('views', options);

    expect(operations).toEqual(['collection.createIndexes']);
  });
});
