import { randomUUID } from 'node:crypto';
import { EventStoreDBClient } from '@eventstore/db-client';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { deterministicEventId } from '../../../src/application/deterministicEventId.js';
import type { EventStore, EventToAppend } from '../../../src/application/ports/eventStore.js';
import { StoreUnavailable } from '../../../src/application/ports/storeHealth.js';
import { createEsdbEventStore } from '../../../src/infrastructure/esdb/esdbEventStore.js';
import { storeTarget } from '../../../src/infrastructure/stores/storeTarget.js';
import { eventStoreContract } from '../../application/ports/eventStoreContract.js';
import { closedPort } from '../../support/closedPort.js';
import { eventually } from '../../support/eventually.js';
import { serverFrom } from '../../support/serverGate.js';
import { startSilentServer } from '../../support/silentServer.js';

const silent = pino({ level: 'silent' });

const openEsdb = (connectionString: string, options: { wakeOnCategories?: string[] } = {}) =>
  createEsdbEventStore({
    client: EventStoreDBClient.connectionString(connectionString),
    target: storeTarget(connectionString),
    log: silent,
    ...options,
  });

const connectionString = serverFrom('ESDB_CONNECTION_STRING', 'the EventStoreDB contract suite');

if (connectionString) {
  eventStoreContract('EventStoreDB', () =>
    Promise.resolve({
      open: () => Promise.resolve(openEsdb(connectionString)),
      // Streams and categories are unique per test: nothing to remove from the shared server.
      cleanup: () => Promise.resolve(),
    }),
  );

  describe('EventStoreDB adapter on a server', () => {
    const opened: EventStore[] = [];
    const open = (options: { wakeOnCategories?: string[] } = {}) => {
      const store = openEsdb(connectionString, options);
      opened.push(store);
      return store;
    };
    afterEach(async () => {
      for (const store of opened.splice(0)) await store.close();
    });
    const event = (commandId: string, index: number, type: string): EventToAppend => ({
      id: deterministicEventId(commandId, index),
      type,
      data: { index },
      metadata: { correlationId: commandId, causationId: commandId, source: 'api' },
    });

    it('given an append retried with the same deterministic ids, then the server acknowledges it without writing twice', async () => {
      const store = open();
      const stream = `retry${randomUUID().slice(0, 8)}-R1`;
      const commandId = randomUUID();
      const batch = [event(commandId, 0, 'Opened'), event(commandId, 1, 'Noted')];

      const first = await store.append(stream, batch, 'no_stream');
      const again = await store.append(stream, batch, 'no_stream');

      expect(first).toMatchObject({ ok: true, nextExpectedRevision: 1n });
      expect(again).toMatchObject({ ok: true, nextExpectedRevision: 1n });
      expect((await store.readStream(stream)).map((e) => e.id)).toEqual(batch.map((e) => e.id));
    });

    it('given a listener on one client, when another client appends, then the live subscription wakes it', async () => {
      const category = `wake${randomUUID().replaceAll('-', '').slice(0, 8)}`;
      const listening = open({ wakeOnCategories: [category] });
      const writing = open();
      let woken = 0;
      listening.onAppended(() => (woken += 1));
      // The subscription starts from the end: wait until it is up (it wakes once when confirmed).
      await eventually(() => expect(woken).toBeGreaterThan(0));
      const before = woken;

      await writing.append(`${category}-1`, [event(randomUUID(), 0, 'Opened')], 'no_stream');

      await eventually(() => expect(woken).toBeGreaterThan(before));
    });

    it('given a healthy server, then health is ok', async () => {
      expect(await open().health()).toEqual({ ok: true });
    });
  });
}

describe('EventStoreDB adapter when the server does not answer', () => {
  let store: EventStore | undefined;
  afterEach(async () => {
    await store?.close();
  });

  it('given a closed port, then health says unreachable and every operation fails with StoreUnavailable', async () => {
    const port = await closedPort();
    store = openEsdb(`esdb://admin:changeit@127.0.0.1:${port}?tls=false`);
    const someEvent = {
      id: randomUUID(),
      type: 'Opened',
      data: {},
      metadata: {},
    };

    const health = await store.health();
    expect(health).toMatchObject({ ok: false });
    expect(health.ok || health.reason).toMatch(
      new RegExp(`^EventStoreDB at esdb://127\\.0\\.0\\.1:${port} unreachable: .*ECONNREFUSED`),
    );
    expect(health.ok || health.reason).not.toContain('changeit');
    await expect(store.append('refund-R1', [someEvent], 'no_stream')).rejects.toThrow(
      StoreUnavailable,
    );
    await expect(store.readStream('refund-R1')).rejects.toThrow(StoreUnavailable);
    await expect(store.readCategory('refund', { limit: 10 })).rejects.toThrow(StoreUnavailable);
    await expect(store.headPosition('refund')).rejects.toThrow(StoreUnavailable);
  });

  it('given a server that accepts connections but never answers, then health says so within its timeout', async () => {
    const hung = await startSilentServer();
    const connectionString = `esdb://127.0.0.1:${hung.port}?tls=false`;
    store = createEsdbEventStore({
      client: EventStoreDBClient.connectionString(connectionString),
      target: storeTarget(connectionString),
      log: silent,
      healthTimeoutMs: 200,
    });

    expect(await store.health()).toEqual({
      ok: false,
      reason: `EventStoreDB at esdb://127.0.0.1:${hung.port} unreachable: the server did not answer within 200 ms`,
    });
    await store.close();
    store = undefined;
    await hung.close();
  });

  it('given a listener while the server is away, then closing the store still returns', async () => {
    store = openEsdb(`esdb://127.0.0.1:${await closedPort()}?tls=false`);
    store.onAppended(() => undefined);

    await store.close();
    store = undefined;
  });
});
