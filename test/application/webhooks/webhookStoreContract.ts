import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRefundCommandHandler } from '../../../src/application/handleRefundCommand.js';
import { documentCheckpoints } from '../../../src/application/documentCheckpoints.js';
import type { DocumentStore } from '../../../src/application/ports/documentStore.js';
import type { EventStore } from '../../../src/application/ports/eventStore.js';
import type { RunningReactor } from '../../../src/application/reactor.js';
import { startReactor } from '../../../src/application/startReactor.js';
import { webhookEndpoints } from '../../../src/application/webhooks/webhookEndpoints.js';
import { webhookFanOut } from '../../../src/application/webhooks/webhookFanOut.js';
import {
  openWebhookStore,
  type WebhookDelivery,
} from '../../../src/application/webhooks/webhookStore.js';
import { refundEventObjects } from '../../../src/projections/refundEventObjects.js';
import { acceptRefund, requestRefund } from '../../domain/refund/refundFixtures.js';
import { eventually } from '../../support/eventually.js';
import { makeTempDir, openSqliteStores, type TempDir } from '../../support/fixtures.js';

/** A document store under test; `open` may be called again for a new client of the same store. */
export type WebhookStoreFixture = {
  open: () => Promise<DocumentStore>;
  cleanup: () => Promise<void>;
};

const context = {
  correlationId: 'webhook-store',
  causationId: 'webhook-store',
  source: 'api' as const,
};
const everyUrl = async () => ({ ok: true as const });

/**
 * What webhook endpoints and deliveries need of a document store (DESIGN §5): endpoints that
 * survive a restart, deliveries fanned out at least once but stored once, listed and recovered
 * by the store's ordered indexes, and the fan-out's checkpoint kept in the same store. The log is
 * the embedded one: the events only feed the fan-out.
 */
export const webhookStoreContract = (
  adapter: string,
  createFixture: () => Promise<WebhookStoreFixture>,
): void => {
  describe(`webhook endpoints and deliveries on ${adapter}`, () => {
    let fixture: WebhookStoreFixture;
    let temp: TempDir;
    let events: EventStore;
    const opened: DocumentStore[] = [];
    const reactors: RunningReactor[] = [];
    const open = async () => {
      const documents = await fixture.open();
      opened.push(documents);
      return documents;
    };
    const endpointsOn = (documents: DocumentStore) =>
      webhookEndpoints({
        store: openWebhookStore(documents),
        events,
        clock: { now: () => new Date() },
        urlPolicy: everyUrl,
      });
    /** The fan-out reactor on the store's checkpoint; `acted` lists the events it acted on. */
    const fanOutOn = (documents: DocumentStore) => {
      const reactor = webhookFanOut({
        store: openWebhookStore(documents),
        eventObjects: refundEventObjects(events),
        clock: { now: () => new Date() },
      });
      const acted: string[] = [];
      const running = startReactor(
        {
          ...reactor,
          act: (recorded, retry) => {
            acted.push(`${recorded.type} ${recorded.streamName}`);
            return reactor.act(recorded, retry);
          },
        },
        { events, checkpoints: documentCheckpoints(documents), log: pino({ level: 'silent' }) },
      );
      reactors.push(running);
      return { ...running, acted };
    };
    const deliveriesIn = async (documents: DocumentStore): Promise<WebhookDelivery[]> => {
      const found: WebhookDelivery[] = [];
      for await (const delivery of (await openWebhookStore(documents).deliveries()).all()) {
        found.push(delivery);
      }
      return found;
    };
    const request = (n: number) =>
      createRefundCommandHandler({ events })(
        requestRefund({ outRefundNo: `W${n}`, outTradeNo: `W${n}` }),
        context,
      );

    beforeEach(async () => {
      fixture = await createFixture();
      temp = makeTempDir();
      events = openSqliteStores(temp.dir).events;
    });
    afterEach(async () => {
      for (const reactor of reactors.splice(0)) await reactor.stop();
      for (const documents of opened.splice(0)) await documents.close();
      await events.close();
      await fixture.cleanup();
      temp.remove();
    });

    it('given endpoints created, changed, rotated and removed, when the store is opened again, then it shows the same endpoints, never a secret', async () => {
      const endpoints = endpointsOn(await open());
      const kept = await endpoints.create({ url: 'https://a.example/hook', description: 'kept' });
      const removed = await endpoints.create({ url: 'https://b.example/hook' });
      await endpoints.update(kept.id, { eventTypes: ['refund.succeeded'], status: 'disabled' });
      const rotated = await endpoints.rotateSecret(kept.id);
      await endpoints.remove(removed.id);

      const again = endpointsOn(await open());
      const listed = await again.list();
      expect(listed).toEqual([
        {
          id: kept.id,
          url: 'https://a.example/hook',
          eventTypes: ['refund.succeeded'],
          description: 'kept',
          status: 'disabled',
          createdAt: kept.createdAt,
        },
      ]);
      expect(JSON.stringify(listed)).not.toContain(rotated.secret);
      expect(JSON.stringify(listed)).not.toContain(kept.secret);
      await expect(again.get(removed.id)).rejects.toMatchObject({
        code: 'WEBHOOK_ENDPOINT_NOT_FOUND',
      });
    });

    it('given events fanned out, then each subscribed endpoint created before an event has one delivery of it, and a restart goes on from the checkpoint kept beside them', async () => {
      await request(0);
      const documents = await open();
      const endpoints = endpointsOn(documents);
      const every = await endpoints.create({ url: 'https://every.example/hook' });
      const accepted = await endpoints.create({
        url: 'https://accepted.example/hook',
        eventTypes: ['refund.accepted'],
      });
      await request(1);
      await createRefundCommandHandler({ events })(acceptRefund({ outRefundNo: 'W1' }), context);
      const fanOut = fanOutOn(documents);
      // W0's request came before both endpoints; W1's request and acceptance after.
      await eventually(async () => expect(await deliveriesIn(documents)).toHaveLength(3));
      await fanOut.stop();

      const kinds = async (endpointId: string) =>
        (await endpoints.deliveries(endpointId, { limit: 10 })).data
          .map((d) => `${d.eventType} ${d.outRefundNo} ${d.status}`)
          .sort();
      expect(await kinds(every.id)).toEqual([
        'refund.accepted W1 pending',
        'refund.requested W1 pending',
      ]);
      expect(await kinds(accepted.id)).toEqual(['refund.accepted W1 pending']);

      // The checkpoint is kept in the same store: a new client goes on after what was fanned out.
      const reopened = await open();
      await request(2);
      const restarted = fanOutOn(reopened);
      await eventually(async () =>
        expect(await kinds(every.id)).toContain('refund.requested W2 pending'),
      );
      expect(restarted.acted).toEqual(['RefundRequested refund-W2']);
      expect(await deliveriesIn(reopened)).toHaveLength(4);
    });

    it('given more deliveries than a page, then the pages continue by cursor, filter by status, and recover turns failed ones back to pending', async () => {
      const documents = await open();
      const endpoints = endpointsOn(documents);
      const endpoint = await endpoints.create({
        url: 'https://pages.example/hook',
        eventTypes: ['refund.requested'],
      });
      for (let n = 0; n < 5; n++) await request(n);
      fanOutOn(documents);
      await eventually(async () => expect(await deliveriesIn(documents)).toHaveLength(5));
      const deliveries = await openWebhookStore(documents).deliveries();
      for (const failed of (await deliveriesIn(documents)).slice(0, 2)) {
        await deliveries.put(
          failed.id,
          { ...failed, status: 'failed', version: failed.version + 1 },
          BigInt(failed.version + 1),
        );
      }

      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await endpoints.deliveries(endpoint.id, {
          limit: 2,
          ...(cursor !== undefined && { cursor }),
        });
        expect(page.data.length).toBeLessThanOrEqual(2);
        seen.push(...page.data.map((d) => d.outRefundNo));
        cursor = page.nextCursor ?? undefined;
      } while (cursor !== undefined);
      // Every delivery once across the pages (their order is the contract suite's business).
      expect(seen.sort()).toEqual(['W0', 'W1', 'W2', 'W3', 'W4']);
      const failedPage = await endpoints.deliveries(endpoint.id, { status: 'failed', limit: 10 });
      expect(failedPage.data).toHaveLength(2);

      expect(await endpoints.recover(endpoint.id, '2000-01-01T00:00:00.000Z')).toEqual({
        recovered: 2,
      });
      const pending = await endpoints.deliveries(endpoint.id, { status: 'pending', limit: 10 });
      expect(pending.data).toHaveLength(5);
    });
  });
};
