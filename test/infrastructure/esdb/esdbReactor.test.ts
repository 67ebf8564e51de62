import { randomUUID } from 'node:crypto';
import {
  END,
  EventStoreDBClient,
  persistentSubscriptionToAllSettingsFromDefaults,
  ROUND_ROBIN,
} from '@eventstore/db-client';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { gatewayReactor } from '../../../src/application/gatewayReactor.js';
import { createRefundCommandHandler } from '../../../src/application/handleRefundCommand.js';
import { loadRefund } from '../../../src/application/loadRefund.js';
import { systemClock } from '../../../src/application/ports/clock.js';
import type { EventStore } from '../../../src/application/ports/eventStore.js';
import type { RefundGateway } from '../../../src/application/ports/refundGateway.js';
import type { RunningReactor } from '../../../src/application/reactor.js';
import { refundStreamName } from '../../../src/application/refundEventCodec.js';
import { sendRefund } from '../../../src/application/sendRefund.js';
import { createEsdbEventStore } from '../../../src/infrastructure/esdb/esdbEventStore.js';
import {
  changedGroupSettings,
  deliveriesAllowed,
  startEsdbReactor,
} from '../../../src/infrastructure/esdb/esdbReactor.js';
import { storeTarget } from '../../../src/infrastructure/stores/storeTarget.js';
import { requestRefund } from '../../domain/refund/refundFixtures.js';
import { eventually } from '../../support/eventually.js';
import { serverFrom } from '../../support/serverGate.js';

const connectionString = serverFrom(
  'ESDB_CONNECTION_STRING',
  'the EventStoreDB persistent-subscription gateway tests',
);

if (connectionString) {
  describe('gateway reactor on an EventStoreDB persistent subscription', () => {
    const log = pino({ level: 'silent' });
    const clients: EventStoreDBClient[] = [];
    const stores: EventStore[] = [];
    const reactors: RunningReactor[] = [];
    const groups: string[] = [];
    const client = () => {
      const made = EventStoreDBClient.connectionString(connectionString);
      clients.push(made);
      return made;
    };
    afterEach(async () => {
      for (const reactor of reactors.splice(0)) await reactor.stop();
      const admin = client();
      for (const group of groups.splice(0)) {
        await admin.deletePersistentSubscriptionToAll(group).catch(() => undefined);
      }
      for (const store of stores.splice(0)) await store.close();
      for (const made of clients.splice(0)) await made.dispose();
    });

    it('given two instances sharing the group, when refunds are requested, then each is sent exactly once (the one WeChat left unanswered once more) and its answer recorded exactly once', async () => {
      const prefix = `gw${randomUUID().replaceAll('-', '').slice(0, 10)}`;
      const group = `refund-gateway-${prefix}`;
      groups.push(group);
      const refunds = Array.from({ length: 12 }, (_, i) => `${prefix}R${i}`);
      const calls = new Map<string, number>();
      const failedOnce = new Set<string>();
      // WeChat as far as this test needs it: the first call for R0 fails (a timeout: retried),
      // every other one accepts; a repeat of the same out_refund_no gets the same answer.
      const gateway: RefundGateway = {
        refund: ({ outRefundNo, refundFee }) => {
          calls.set(outRefundNo, (calls.get(outRefundNo) ?? 0) + 1);
          if (outRefundNo === `${prefix}R0` && !failedOnce.has(outRefundNo)) {
            failedOnce.add(outRefundNo);
            return Promise.resolve({ kind: 'retryable', code: 'TIMEOUT', message: 'no answer' });
          }
          return Promise.resolve({
            kind: 'accepted',
            refundId: `5000${outRefundNo}`,
            refundFee,
          });
        },
        queryRefund: () => Promise.reject(new Error('not used')),
      };
      const startInstance = () => {
        const events = createEsdbEventStore({
          client: client(),
          target: storeTarget(connectionString),
          log,
        });
        stores.push(events);
        const send = sendRefund({
          gateway,
          handle: createRefundCommandHandler({ events }),
          load: loadRefund(events),
          clock: systemClock,
          log,
        });
        reactors.push(
          startEsdbReactor(
            gatewayReactor({
              // The group replays every refund stream of the shared server: leave others' alone.
              send: (outRefundNo, attempt, context) =>
                outRefundNo.startsWith(prefix)
                  ? send(outRefundNo, attempt, context)
                  : Promise.resolve({ kind: 'skipped' }),
              log,
              random: () => 0,
              retryBaseMs: 10,
            }),
            { client: client(), log, random: () => 0, group, bufferSize: 4 },
          ),
        );
        return events;
      };
      const first = startInstance();
      startInstance();

      const handle = createRefundCommandHandler({ events: first });
      for (const outRefundNo of refunds) {
        await handle(requestRefund({ outRefundNo, outTradeNo: `${prefix}T` }), {
          correlationId: outRefundNo,
          causationId: outRefundNo,
          source: 'api',
        });
      }

      await eventually(
        async () => {
          for (const outRefundNo of refunds) {
            const types = (await first.readStream(refundStreamName(outRefundNo))).map(
              (e) => e.type,
            );
            expect(types, outRefundNo).toEqual(['RefundRequested', 'RefundAccepted']);
          }
        },
        { timeoutMs: 30_000, intervalMs: 100 },
      );
      await eventually(() => {
        for (const reactor of reactors) expect(reactor.pending()).toBe(0);
      });
      expect(Object.fromEntries(calls)).toEqual(
        Object.fromEntries(refunds.map((outRefundNo, i) => [outRefundNo, i === 0 ? 2 : 1])),
      );
    });

    it('given a group created with other settings, when an instance starts, then the group takes this version’s settings', async () => {
      const group = `refund-gateway-settings-${randomUUID().slice(0, 8)}`;
      groups.push(group);
      const admin = client();
      await admin.createPersistentSubscriptionToAll(
        group,
        persistentSubscriptionToAllSettingsFromDefaults({
          startFrom: END,
          messageTimeout: 10_000,
          maxRetryCount: 3,
        }),
      );

      reactors.push(
        startEsdbReactor(
          gatewayReactor({
            send: () => Promise.resolve({ kind: 'skipped' }),
            log,
            random: () => 0,
            retryBaseMs: 10,
          }),
          { client: client(), log, random: () => 0, group },
        ),
      );

      await eventually(
        async () => {
          const { settings } = await admin.getPersistentSubscriptionToAllInfo(group);
          expect(settings).toMatchObject({
            messageTimeout: 60_000,
            maxRetryCount: 50,
            consumerStrategyName: ROUND_ROBIN,
          });
        },
        { timeoutMs: 20_000, intervalMs: 200 },
      );
    });
  });
}

describe('the deliveries a group allows an event', () => {
  it('given a reactor that never waits until due, then the failed tries alone', () => {
    expect(deliveriesAllowed({}, { maxRetryCount: 50, maxDelayMs: 20_000 })).toBe(50);
  });

  it('given a reactor whose longest wait is 6 hours, then a hand-back per cap on top', () => {
    const sixHours = 6 * 3600_000;
    expect(
      deliveriesAllowed({ longestWaitMs: sixHours }, { maxRetryCount: 50, maxDelayMs: 20_000 }),
    ).toBe(50 + 1080);
  });
});

describe('the settings of the gateway’s persistent subscription group', () => {
  const onServer = persistentSubscriptionToAllSettingsFromDefaults({
    startFrom: END,
    messageTimeout: 60_000,
    maxRetryCount: 50,
    consumerStrategyName: ROUND_ROBIN,
  });
  const wanted = { messageTimeout: 60_000, maxRetryCount: 50, consumerStrategyName: ROUND_ROBIN };

  it('given a group with the settings of this version, then nothing to update', () => {
    expect(changedGroupSettings(onServer, wanted)).toEqual([]);
  });

  it('given a group created with other settings, then those are named for the update', () => {
    expect(
      changedGroupSettings(
        { ...onServer, messageTimeout: 30_000, consumerStrategyName: 'DispatchToSingle' },
        wanted,
      ),
    ).toEqual(['messageTimeout', 'consumerStrategyName']);
  });
});
