import {
  PersistentSubscriptionExistsError,
  persistentSubscriptionToAllSettingsFromDefaults,
  ROUND_ROBIN,
  START,
  streamNameFilter,
  type EventStoreDBClient,
  type PersistentSubscriptionToAll,
  type PersistentSubscriptionToAllResolvedEvent,
  type PersistentSubscriptionToAllSettings,
} from '@eventstore/db-client';
import { createPauser } from '../../application/pauser.js';
import type { Log } from '../../application/ports/log.js';
import type { Reactor, RunningReactor } from '../../application/reactor.js';
import { refundCategory } from '../../application/refundEventCodec.js';
import { toRecordedEvent } from './esdbEventMapping.js';
import { reactorDelivery, type DeliveryOutcome } from './reactorDelivery.js';
import { keepSubscribed } from './keepSubscribed.js';
import { errorMessage } from '../../application/errorMessage.js';

export type EsdbReactorOptions = {
  client: EventStoreDBClient;
  log: Log;
  random: () => number;
  /** Default `refund-<reactor name>`. */
  group?: string;
  /** Events the server hands this instance at once (its share of the concurrent work). */
  bufferSize?: number;
  messageTimeoutMs?: number;
  /**
   * Failed deliveries before the server parks an event (the reconciler still finds the refund);
   * the hand-backs of a reactor's waits come on top.
   */
  maxRetryCount?: number;
  /** Longest wait before handing an event back for a retry: below the message timeout. */
  retryMaxMs?: number;
};

/**
 * Deliveries of one event before the server parks it: the failed tries the reactor allows, and
 * the hand-backs of its longest wait until due (each is a delivery the server counts).
 */
export const deliveriesAllowed = (
  reactor: Pick<Reactor<unknown>, 'longestWaitMs'>,
  { maxRetryCount, maxDelayMs }: { maxRetryCount: number; maxDelayMs: number },
): number => maxRetryCount + Math.ceil((reactor.longestWaitMs ?? 0) / maxDelayMs);

/** The settings of the group this reactor sets; the others keep the server's defaults. */
const groupSettingNames = ['messageTimeout', 'maxRetryCount', 'consumerStrategyName'] as const;
type GroupSettings = Pick<PersistentSubscriptionToAllSettings, (typeof groupSettingNames)[number]>;

/** The names of the settings the group on the server has otherwise than wanted. */
export const changedGroupSettings = (
  current: PersistentSubscriptionToAllSettings,
  wanted: GroupSettings,
): (keyof GroupSettings)[] => groupSettingNames.filter((name) => current[name] !== wanted[name]);

/**
 * A reactor for several instances sharing one EventStoreDB: a persistent subscription to $all,
 * filtered to `refund-` streams, whose events the server shares out among the connected
 * instances (round robin). Each event is acknowledged only once the reactor is done with it; one
 * that is not acknowledged (a crash, a nack, a timeout) is delivered again, possibly elsewhere:
 * the reactor's effect is idempotent (the gateway: WeChat refunds an out_refund_no once and
 * answers a repeat with the same result, and recording an answer already recorded is a no-op of
 * the decider).
 *
 * The subscription group is created at start if it does not exist, from the start of the log (a
 * refund requested before the first start is not lost: sendRefund skips what is already answered).
 */
export const startEsdbReactor = <W>(
  reactor: Reactor<W>,
  {
    client,
    log,
    random,
    group = `refund-${reactor.name}`,
    bufferSize = 64,
    messageTimeoutMs = 60_000,
    maxRetryCount = 50,
    retryMaxMs = 20_000,
  }: EsdbReactorOptions,
): RunningReactor => {
  const pauser = createPauser();
  const inFlight = new Set<Promise<void>>();
  let stopping = false;
  const maxDelayMs = Math.min(retryMaxMs, messageTimeoutMs / 2);
  const deliver = reactorDelivery(reactor, { log, pause: pauser.pause, maxDelayMs });

  const wanted: GroupSettings = {
    messageTimeout: messageTimeoutMs,
    maxRetryCount: deliveriesAllowed(reactor, { maxRetryCount, maxDelayMs }),
    consumerStrategyName: ROUND_ROBIN,
  };
  // The group is the servers': created by the first instance that starts, and brought to this
  // version's settings when they changed (the server then drops every consumer, which subscribe
  // again). Its filter cannot change once created.
  const ensureGroup = async (): Promise<void> => {
    try {
      await client.createPersistentSubscriptionToAll(
        group,
        persistentSubscriptionToAllSettingsFromDefaults({ startFrom: START, ...wanted }),
        { filter: streamNameFilter({ prefixes: [`${refundCategory}-`] }) },
      );
      log.info({ group }, `created the persistent subscription of the ${reactor.name}`);
      return;
    } catch (error) {
      // Created by this instance earlier, or by another: the same group is shared.
      if (!(error instanceof PersistentSubscriptionExistsError)) throw error;
    }
    const { settings } = await client.getPersistentSubscriptionToAllInfo(group);
    const changed = changedGroupSettings(settings, wanted);
    if (changed.length === 0) return;
    await client.updatePersistentSubscriptionToAll(group, { ...settings, ...wanted });
    log.info(
      { group, changed },
      `updated the settings of the persistent subscription of the ${reactor.name}`,
    );
  };

  const settle = async (
    subscription: PersistentSubscriptionToAll,
    resolved: PersistentSubscriptionToAllResolvedEvent,
  ): Promise<void> => {
    let outcome: DeliveryOutcome;
    try {
      outcome = await deliver(toRecordedEvent(resolved), resolved.retryCount);
    } catch (error) {
      log.error({ err: error }, `${reactor.name} parked an event it could not read`);
      outcome = { kind: 'nack', action: 'park', reason: errorMessage(error) };
    }
    try {
      if (outcome.kind === 'ack') await subscription.ack(resolved);
      else await subscription.nack(outcome.action, outcome.reason, resolved);
    } catch (error) {
      // The subscription dropped meanwhile: the server hands the event out again.
      log.debug(
        { err: error },
        `could not settle a ${reactor.name} event; it will be delivered again`,
      );
    }
  };

  const kept = keepSubscribed({
    what: `${reactor.name} persistent subscription`,
    open: async () => {
      await ensureGroup();
      return client.subscribeToPersistentSubscriptionToAll(group, { bufferSize });
    },
    attach: (subscription) =>
      subscription.on('data', (resolved) => {
        // Left unsettled while stopping: the server hands it to another instance.
        if (stopping) return;
        const task: Promise<void> = settle(subscription, resolved).finally(() =>
          inFlight.delete(task),
        );
        inFlight.add(task);
      }),
    log,
    random,
  });

  return {
    pending: (): number => inFlight.size,
    stop: (): Promise<void> =>
      // Deliveries waiting for a retry nack now, and every ack or nack goes out before the
      // subscription closes: what this instance did not finish goes to another one at once.
      kept.stop(async () => {
        stopping = true;
        pauser.stop();
        await Promise.all(inFlight);
      }),
  };
};
