import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { EventStoreDBClient } from '@eventstore/db-client';
import { pino } from 'pino';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createRefundCommandHandler } from '../../../src/application/handleRefundCommand.js';
import type { DocumentStore } from '../../../src/application/ports/documentStore.js';
import type { EventStore } from '../../../src/application/ports/eventStore.js';
import type { RunningReactor } from '../../../src/application/reactor.js';
import { webhookEndpoints } from '../../../src/application/webhooks/webhookEndpoints.js';
import { webhookFanOut } from '../../../src/application/webhooks/webhookFanOut.js';
import {
  openWebhookStore,
  type WebhookDelivery,
} from '../../../src/application/webhooks/webhookStore.js';
import { createEsdbEventStore } from '../../../src/infrastructure/esdb/esdbEventStore.js';
import { startEsdbReactor } from '../../../src/infrastructure/esdb/esdbReactor.js';
import { createSqliteDocumentStore } from '../../../src/infrastructure/sqlite/sqliteDocumentStore.js';
import { storeTarget } from '../../../src/infrastructure/stores/storeTarget.js';
import { refundEventObjects } from '../../../src/projections/refundEventObjects.js';
import { requestRefund } from '../../domain/refund/refundFixtures.js';
import { eventually } from '../../support/eventually.js';
import { makeTempDir } from '../../support/fixtures.js';
import { serverFrom } from '../../support/serverGate.js';

const connectionString = serverFrom(
  'ESDB_CONNECTION_STRING',
  'the webhook fan-out on an EventStoreDB persistent subscription',
);

if (connectionString) {
  describe('webhook fan-out on an EventStoreDB persistent subscription', () => {
    const log = pino({ level: 'silent' });
    const clients: EventStoreDBClient[] = [];
    const closing: (EventStore | DocumentStore)[] = [];
    const reactors: RunningReactor[] = [];
    const groups: string[] = [];
    const temp = makeTempDir();
    const client = () => {
      const made = EventStoreDBClient.connectionString(connectionString);
      clients.push(made);
      return made;
    };
    const eventStore = () => {
      const events = createEsdbEventStore({
        client: client(),
        target: storeTarget(connectionString),
        log,
      });
      closing.push(events);
      return events;
    };
    const documentStore = (file: string) => {
      const documents = createSqliteDocumentStore({ file });
      closing.push(documents);
      return documents;
    };
    afterEach(async () => {
      for (const reactor of reactors.splice(0)) await reactor.stop();
      const admin = client();
      for (const group of groups.splice(0)) {
        await admin.deletePersistentSubscriptionToAll(group).catch(() => undefined);
      }
      for (const store of closing.splice(0)) await store.close();
      for (const made of clients.splice(0)) await made.dispose();
    });
    afterAll(() => temp.remove());

    it('given two instances sharing the group and one restarted, when refunds are requested, then every event is fanned out and each delivery stored once', async () => {
      const prefix = `wh${randomUUID().replaceAll('-', '').slice(0, 10)}`;
      const group = `refund-webhook-${prefix}`;
      groups.push(group);
      const file = path.join(temp.dir, `${prefix}.db`);
      const events = eventStore();
      // Created now: only the refund events after it (this test's) are its.
      const endpoint = await webhookEndpoints({
        store: openWebhookStore(documentStore(file)),
        events,
        clock: { now: () => new Date() },
        urlPolicy: () => Promise.resolve({ ok: true }),
      }).create({ url: 'https://receiver.example/hook', eventTypes: ['refund.requested'] });
      const startInstance = () => {
        const running = startEsdbReactor(
          webhookFanOut({
            store: openWebhookStore(documentStore(file)),
            eventObjects: refundEventObjects(eventStore()),
            clock: { now: () => new Date() },
          }),
          { client: client(), log, random: () => 0, group, bufferSize: 4 },
        );
        reactors.push(running);
        return running;
      };
      // One reading client for every poll, beside the instances' own.
      const reader = openWebhookStore(documentStore(file));
      const deliveries = async (): Promise<WebhookDelivery[]> => {
        const found: WebhookDelivery[] = [];
        for await (const delivery of (await reader.deliveries()).all()) found.push(delivery);
        return found.filter((delivery) => delivery.endpointId === endpoint.id);
      };
      const request = (n: number) =>
        createRefundCommandHandler({ events })(
          requestRefund({ outRefundNo: `${prefix}R${n}`, outTradeNo: `${prefix}T${n}` }),
          { correlationId: prefix, causationId: prefix, source: 'api' },
        );

      const first = startInstance();
      startInstance();
      for (let n = 0; n < 8; n++) await request(n);
      await eventually(async () => expect(await deliveries()).toHaveLength(8), {
        timeoutMs: 60_000,
      });
      await first.stop();
      startInstance();
      for (let n = 8; n < 12; n++) await request(n);

      await eventually(async () => expect(await deliveries()).toHaveLength(12), {
        timeoutMs: 60_000,
      });
      const stored = await deliveries();
      expect(new Set(stored.map((d) => d.outRefundNo))).toEqual(
        new Set(Array.from({ length: 12 }, (_, n) => `${prefix}R${n}`)),
      );
      expect(new Set(stored.map((d) => d.eventId)).size).toBe(12);
    });
  });
}
