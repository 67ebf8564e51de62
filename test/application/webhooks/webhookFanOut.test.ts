import { describe, expect, it, vi } from 'vitest';
import { createRefundCommandHandler } from '../../../src/application/handleRefundCommand.js';
import type { RecordedEvent } from '../../../src/application/ports/eventStore.js';
import { refundCategory } from '../../../src/application/refundEventCodec.js';
import type { Pace } from '../../../src/application/webhooks/deliveryPacer.js';
import { webhookEndpoints } from '../../../src/application/webhooks/webhookEndpoints.js';
import { webhookFanOut } from '../../../src/application/webhooks/webhookFanOut.js';
import { openWebhookStore } from '../../../src/application/webhooks/webhookStore.js';
import { writeNextVersionsOf } from '../../../src/application/versionedDocuments.js';
import { refundEventObjects } from '../../../src/projections/refundEventObjects.js';
import { acceptRefund, requestRefund } from '../../domain/refund/refundFixtures.js';
import { eventually } from '../../support/eventually.js';
import { sqliteStoresPerTest } from '../../support/fixtures.js';

const context = { correlationId: 'fan-out', causationId: 'fan-out', source: 'api' as const };
const clock = { now: () => new Date() };

/**
 * The fan-out of a page of events: a runner hands the events over one by one in the same turn,
 * and the reactor gathers them (one read of the endpoints, each stream read once, one write).
 */
describe('webhook fan-out of a page of events', () => {
  const stores = sqliteStoresPerTest();

  const setUp = async (pace?: Pace) => {
    const store = openWebhookStore(stores.documents);
    const endpoints = webhookEndpoints({
      store,
      events: stores.events,
      clock,
      urlPolicy: async () => ({ ok: true }),
    });
    const handle = createRefundCommandHandler({ events: stores.events });
    let admitted = 0;
    const paced: number[] = [];
    const fanOut = webhookFanOut({
      store,
      eventObjects: refundEventObjects(stores.events),
      clock,
      pace: async (units) => {
        paced.push(units);
        await pace?.(units);
      },
      admit: async (created) => {
        admitted += 1;
        await writeNextVersionsOf(
          await store.deliveries(),
          created.map(({ delivery }) => delivery),
        );
      },
    });
    /** Hands every refund event of the log to the reactor in one turn, as a runner does a page. */
    const handPage = async (): Promise<RecordedEvent[]> => {
      const page = await stores.events.readCategory(refundCategory, { limit: 100 });
      const work = page.flatMap((recorded) => fanOut.decide(recorded) ?? []);
      await Promise.all(work.map((recorded) => fanOut.act(recorded, { retryCount: 0 })));
      return page;
    };
    const kinds = async (endpointId: string) =>
      (await endpoints.deliveries(endpointId, { limit: 20 })).data
        .map((d) => `${d.eventType} ${d.outRefundNo}`)
        .sort();
    return {
      store,
      endpoints,
      handle,
      handPage,
      kinds,
      admitCalls: () => admitted,
      paced,
      oldestOwed: fanOut.oldestOwed,
    };
  };

  it('given events before, between and after two endpoints were created, when they are handed over in one turn, then one write stores the deliveries, a stream is read at most once, and no endpoint gets an event from before it existed', async () => {
    const { store, endpoints, handle, handPage, kinds, admitCalls, paced } = await setUp();
    await handle(requestRefund({ outRefundNo: 'W0', outTradeNo: 'W0' }), context);
    const early = await endpoints.create({ url: 'https://early.example/hook' });
    await handle(requestRefund({ outRefundNo: 'W1', outTradeNo: 'W1' }), context);
    await handle(acceptRefund({ outRefundNo: 'W1' }), context);
    const late = await endpoints.create({ url: 'https://late.example/hook' });
    await handle(requestRefund({ outRefundNo: 'W2', outTradeNo: 'W2' }), context);
    const writes = vi.spyOn(await store.deliveries(), 'writeMany');
    const streamReads = vi.spyOn(stores.events, 'readStream');

    const page = await handPage();

    expect(page).toHaveLength(4);
    expect(writes).toHaveBeenCalledTimes(1);
    expect(admitCalls()).toBe(1);
    // The pacer is asked once for the page: four deliveries (three to early, one to late).
    expect(paced).toEqual([4]);
    // W0 goes to nobody (both endpoints came after it); a first event is its own view: only
    // W1's acceptance needs its stream, read once.
    expect(streamReads.mock.calls.map(([stream]) => stream)).toEqual(['refund-W1']);
    expect(await kinds(early.id)).toEqual([
      'refund.accepted W1',
      'refund.requested W1',
      'refund.requested W2',
    ]);
    expect(await kinds(late.id)).toEqual(['refund.requested W2']);
  });

  it('given a page handed over again (a redelivery after a crash), then every delivery is still stored once, as it was first written', async () => {
    const { store, endpoints, handle, handPage, kinds } = await setUp();
    const endpoint = await endpoints.create({ url: 'https://every.example/hook' });
    for (let n = 0; n < 5; n++) {
      await handle(requestRefund({ outRefundNo: `R${n}`, outTradeNo: `R${n}` }), context);
    }
    await handPage();
    const first = new Map<string, unknown>();
    for await (const delivery of (await store.deliveries()).all()) first.set(delivery.id, delivery);

    await handPage();

    expect(await kinds(endpoint.id)).toHaveLength(5);
    const again = new Map<string, unknown>();
    for await (const delivery of (await store.deliveries()).all()) again.set(delivery.id, delivery);
    expect(again).toEqual(first);
  });

  it('given a store that fails while a page is fanned out, then every event of the page fails its try (each is tried again), and nothing is half written', async () => {
    const { store, endpoints, handle } = await setUp();
    await endpoints.create({ url: 'https://every.example/hook' });
    for (let n = 0; n < 3; n++) {
      await handle(requestRefund({ outRefundNo: `F${n}`, outTradeNo: `F${n}` }), context);
    }
    const fanOut = webhookFanOut({
      store,
      eventObjects: async () => {
        throw new Error('the log does not answer');
      },
      clock,
    });
    const page = await stores.events.readCategory(refundCategory, { limit: 100 });

    const tries = await Promise.allSettled(
      page.map((recorded) => fanOut.act(recorded, { retryCount: 0 })),
    );

    expect(tries.map((t) => t.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(await (await store.deliveries()).positions({ limit: 10 })).toEqual([]);
  });

  it('given the pacer holding deliveries back (the API is busy), then the page is not written until it lets them through, and its oldest event is owed meanwhile', async () => {
    let letThrough = () => undefined as void;
    const held = new Promise<void>((resolve) => (letThrough = resolve));
    const { store, endpoints, handle, handPage, kinds, paced, oldestOwed } = await setUp(
      () => held,
    );
    const endpoint = await endpoints.create({ url: 'https://every.example/hook' });
    for (let n = 0; n < 3; n++) {
      await handle(requestRefund({ outRefundNo: `H${n}`, outTradeNo: `H${n}` }), context);
    }

    const handedOver = handPage();
    await eventually(() => expect(paced).toEqual([3]));
    expect(await (await store.deliveries()).positions({ limit: 10 })).toEqual([]);
    const [first] = await stores.events.readCategory(refundCategory, { limit: 1 });
    expect(oldestOwed()).toBe(first!.recordedAt);

    letThrough();
    await handedOver;
    expect(await kinds(endpoint.id)).toHaveLength(3);
    expect(oldestOwed()).toBeUndefined();
  });
});
