import path from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createRefundCommandHandler } from '../../../src/application/handleRefundCommand.js';
import type { DocumentStore } from '../../../src/application/ports/documentStore.js';
import { refundCategory } from '../../../src/application/refundEventCodec.js';
import {
  startWebhookDispatcher,
  type WebhookDispatcher,
} from '../../../src/application/webhooks/webhookDispatcher.js';
import { createDeliveryPacer, type Pace } from '../../../src/application/webhooks/deliveryPacer.js';
import { webhookEndpoints } from '../../../src/application/webhooks/webhookEndpoints.js';
import { webhookFanOut } from '../../../src/application/webhooks/webhookFanOut.js';
import type {
  WebhookAttemptResult,
  WebhookSender,
} from '../../../src/application/webhooks/webhookPorts.js';
import {
  openWebhookStore,
  type WebhookStore,
} from '../../../src/application/webhooks/webhookStore.js';
import { createSqliteDocumentStore } from '../../../src/infrastructure/sqlite/sqliteDocumentStore.js';
import { refundEventObjects } from '../../../src/projections/refundEventObjects.js';
import { requestRefund } from '../../domain/refund/refundFixtures.js';
import { eventually } from '../../support/eventually.js';
import { sqliteStoresPerTest } from '../../support/fixtures.js';

const context = { correlationId: 'lanes', causationId: 'lanes', source: 'api' as const };
const clock = { now: () => new Date() };
const perEndpoint = 4;

/**
 * The dispatcher's lanes take due deliveries a page at a time (one query, one read of the
 * endpoint, one batch of claims, each claim a compare-and-set): two instances on one store never
 * both attempt a delivery whose claim holds, and a lane never has more than its bound in flight.
 */
describe('webhook dispatcher claiming pages of due deliveries', () => {
  const stores = sqliteStoresPerTest();
  const running: WebhookDispatcher[] = [];
  const clients: DocumentStore[] = [];
  afterEach(async () => {
    for (const dispatcher of running.splice(0)) await dispatcher.stop();
    for (const client of clients.splice(0)) await client.close();
  });

  /**
   * An endpoint, and a fan-out that hands the events of new refunds to `admit` (by default, it
   * writes their deliveries due).
   */
  const admitting = async (admit?: WebhookDispatcher['admit']) => {
    const store = openWebhookStore(stores.documents);
    const endpoint = await webhookEndpoints({
      store,
      events: stores.events,
      clock,
      urlPolicy: async () => ({ ok: true }),
    }).create({ url: 'https://upstream.example/hook' });
    const handle = createRefundCommandHandler({ events: stores.events });
    const fanOut = webhookFanOut({
      store,
      eventObjects: refundEventObjects(stores.events),
      clock,
      ...(admit && { admit }),
    });
    let refunds = 0;
    /** `count` new refunds, their events handed to the fan-out in one turn. */
    const handOver = async (count: number) => {
      const from = refunds;
      for (; refunds < from + count; refunds++) {
        await handle(
          requestRefund({ outRefundNo: `A${refunds}`, outTradeNo: `A${refunds}` }),
          context,
        );
      }
      const page = await stores.events.readCategory(refundCategory, { limit: 1000 });
      await Promise.all(page.map((recorded) => fanOut.act(recorded, { retryCount: 0 })));
    };
    return { endpoint, handOver };
  };

  /** `count` pending deliveries to one endpoint, fanned out from the log. */
  const pendingDeliveries = async (count: number) => {
    const { endpoint, handOver } = await admitting();
    await handOver(count);
    return endpoint;
  };

  /** A receiver that answers 204 after a while, counting what is in flight. */
  const slowReceiver = () => {
    const sent: string[] = [];
    let inFlight = 0;
    let mostInFlight = 0;
    const send: WebhookSender = async ({ webhookId }) => {
      sent.push(webhookId);
      inFlight += 1;
      mostInFlight = Math.max(mostInFlight, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 20));
      inFlight -= 1;
      return { kind: 'answered', status: 204 };
    };
    return { send, sent, mostInFlight: () => mostInFlight };
  };

  const dispatcherOn = (store: WebhookStore, send: WebhookSender, pace?: Pace) => {
    const dispatcher = startWebhookDispatcher({
      store,
      send,
      clock,
      log: pino({ level: 'silent' }),
      random: () => 0.5,
      scheduleMs: [200],
      // Far longer than any attempt here: a claim never lapses, so a repeat would be a lost race.
      timeoutMs: 60_000,
      perEndpoint,
      pollIntervalMs: 50,
      ...(pace && { pace }),
    });
    running.push(dispatcher);
    return dispatcher;
  };

  const succeeded = async (documents: DocumentStore) => {
    const ids: string[] = [];
    for await (const delivery of (await openWebhookStore(documents).deliveries()).all()) {
      if (delivery.status === 'succeeded') ids.push(delivery.eventId);
    }
    return ids;
  };

  it('given two dispatchers on one store, when 40 deliveries are due, then each is attempted exactly once, and neither has more than its bound in flight to the endpoint', async () => {
    await pendingDeliveries(40);
    const other = createSqliteDocumentStore({ file: path.join(stores.dir, 'read.db') });
    clients.push(other);
    const one = slowReceiver();
    const two = slowReceiver();

    dispatcherOn(openWebhookStore(stores.documents), one.send);
    dispatcherOn(openWebhookStore(other), two.send);

    await eventually(async () => expect(await succeeded(stores.documents)).toHaveLength(40));
    const attempted = [...one.sent, ...two.sent];
    expect(attempted).toHaveLength(40);
    expect(new Set(attempted).size).toBe(40);
    expect(one.mostInFlight()).toBeLessThanOrEqual(perEndpoint);
    expect(two.mostInFlight()).toBeLessThanOrEqual(perEndpoint);
  });

  it('given many due deliveries, then a lane claims them a page at a time, each page in one batch of claims', async () => {
    await pendingDeliveries(20);
    const store = openWebhookStore(stores.documents);
    const writes = vi.spyOn(await store.deliveries(), 'writeMany');
    const receiver = slowReceiver();

    dispatcherOn(store, receiver.send);

    await eventually(async () => expect(await succeeded(stores.documents)).toHaveLength(20));
    // Every claim and every outcome went through writeMany; at least one call carried a page of
    // claims (more than one write), rather than a write per delivery.
    const sizes = writes.mock.calls.map(([batch]) => batch.length);
    expect(sizes.reduce((sum, n) => sum + n, 0)).toBe(40);
    expect(Math.max(...sizes)).toBeGreaterThan(1);
    expect(receiver.mostInFlight()).toBeLessThanOrEqual(perEndpoint);
  });

  it('given a lane that has taken everything due, when the fan-out admits new deliveries, then they are written claimed and attempted at once: a write to create each and one for its outcome, no claim of its own', async () => {
    const store = openWebhookStore(stores.documents);
    const receiver = slowReceiver();
    const dispatcher = dispatcherOn(store, receiver.send);
    const { handOver } = await admitting(dispatcher.admit);
    await handOver(1);
    await eventually(async () => expect(await succeeded(stores.documents)).toHaveLength(1));
    const writes = vi.spyOn(await store.deliveries(), 'writeMany');

    await handOver(3);

    await eventually(async () => expect(await succeeded(stores.documents)).toHaveLength(4));
    const written = writes.mock.calls.flatMap(([batch]) => batch.map((write) => write.position));
    // The page handed over again writes nothing new (the first refund's delivery exists).
    expect(written.filter((version) => version === 1n)).toHaveLength(4);
    expect(written.filter((version) => version > 1n)).toEqual([2n, 2n, 2n]);
    expect(receiver.sent).toHaveLength(4);
  });

  it('given more new deliveries than a slow lane has room for, then the rest wait in the store, and each is attempted exactly once within the bound', async () => {
    const receiver = slowReceiver();
    const dispatcher = dispatcherOn(openWebhookStore(stores.documents), receiver.send);

    const { handOver } = await admitting(dispatcher.admit);
    await handOver(3 * perEndpoint);

    await eventually(async () =>
      expect(await succeeded(stores.documents)).toHaveLength(3 * perEndpoint),
    );
    expect(receiver.sent).toHaveLength(3 * perEndpoint);
    expect(new Set(receiver.sent).size).toBe(3 * perEndpoint);
    expect(receiver.mostInFlight()).toBeLessThanOrEqual(perEndpoint);
  });

  it('given the API busy and no time passing, when deliveries are due, then a lane makes only the burst the pacer lets through, and the rest once the API is no longer busy', async () => {
    await pendingDeliveries(10);
    const api = { busy: true };
    // A clock that stands still: while the API is busy, nothing beyond the burst is paid for.
    const pacer = createDeliveryPacer({
      busy: () => api.busy,
      busyRatePerSecond: 1,
      burst: perEndpoint,
      recheckMs: 10,
      now: () => 0,
    });
    const receiver = slowReceiver();

    dispatcherOn(openWebhookStore(stores.documents), receiver.send, pacer.pace);

    // The first page (the lane's room) uses up the burst; the next waits: ten of the pacer's
    // looks and two of the lane's polls later, nothing more was made.
    await eventually(async () =>
      expect(await succeeded(stores.documents)).toHaveLength(perEndpoint),
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(receiver.sent).toHaveLength(perEndpoint);

    api.busy = false;
    await eventually(async () => expect(await succeeded(stores.documents)).toHaveLength(10));
    expect(new Set(receiver.sent).size).toBe(10);
  });

  it('given a pending delivery and an event recorded an hour ago whose deliveries are not written yet, then the backlog is as old as that event', async () => {
    await pendingDeliveries(1);
    // A receiver that answers only at the end: the delivery stays pending meanwhile.
    const held: ((result: WebhookAttemptResult) => void)[] = [];
    const dispatcher = dispatcherOn(
      openWebhookStore(stores.documents),
      () => new Promise((answer) => held.push(answer)),
    );
    const anHourAgo = new Date(Date.now() - 3_600_000).toISOString();

    await eventually(async () => expect(await dispatcher.oldestPending()).toHaveLength(1));
    const [pending] = await dispatcher.oldestPending();
    const [owed] = await dispatcher.oldestPending(anHourAgo);

    expect(pending!.seconds).toBeLessThan(60);
    expect(owed!.seconds).toBeGreaterThanOrEqual(3600);
    expect(owed!.endpointId).toBe(pending!.endpointId);
    for (const answer of held) answer({ kind: 'answered', status: 204 });
  });
});
