import { EventEmitter } from 'node:events';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import {
  watchAppends,
  type LiveSubscription,
} from '../../../src/infrastructure/esdb/appendWatch.js';
import { keepSubscribed } from '../../../src/infrastructure/esdb/keepSubscribed.js';
import { eventually } from '../../support/eventually.js';

/** Stands in for the client's subscribeToAll, which cannot run without a server. */
const fakeSubscriptions = () => {
  const made: (EventEmitter & { unsubscribed: boolean })[] = [];
  const subscribe = (): LiveSubscription => {
    const subscription = Object.assign(new EventEmitter(), {
      unsubscribed: false,
      unsubscribe: () => {
        subscription.unsubscribed = true;
        return Promise.resolve();
      },
    });
    made.push(subscription);
    return subscription;
  };
  return {
    made,
    subscribe,
    latest: () => made.at(-1)!,
    /** Subscribing happens on the watch's loop: wait for the n-th subscription. */
    opened: (count: number) => eventually(() => expect(made).toHaveLength(count)),
  };
};

const silent = pino({ level: 'silent' });

/** A watch over fake subscriptions that counts how often it woke the readers. */
const startWatch = (baseMs = 1) => {
  const subscriptions = fakeSubscriptions();
  const woken = { count: 0 };
  const watch = watchAppends({
    subscribe: subscriptions.subscribe,
    wake: () => (woken.count += 1),
    log: silent,
    random: () => 0,
    baseMs,
  });
  return { subscriptions, woken, watch };
};

describe('watching appends through a live subscription', () => {
  it('given a confirmed subscription, when events arrive, then the readers are woken for each', async () => {
    const { subscriptions, woken, watch } = startWatch();

    await subscriptions.opened(1);
    subscriptions.latest().emit('confirmation');
    subscriptions.latest().emit('data', {});
    subscriptions.latest().emit('data', {});

    expect(woken.count).toBe(3);
    await watch.stop();
    expect(subscriptions.latest().unsubscribed).toBe(true);
  });

  it('given a subscription that errors or ends, then it subscribes again, and wakes the readers once back', async () => {
    const { subscriptions, woken, watch } = startWatch();

    await subscriptions.opened(1);
    subscriptions.latest().emit('error', new Error('14 UNAVAILABLE: connection refused'));
    await subscriptions.opened(2);
    subscriptions.latest().emit('end');
    await subscriptions.opened(3);
    subscriptions.latest().emit('confirmation');

    expect(woken.count).toBe(1);
    await watch.stop();
  });

  it('given a stopped watch, then it does not subscribe again', async () => {
    const { subscriptions, watch } = startWatch(60_000);
    await subscriptions.opened(1);
    subscriptions.latest().emit('error', new Error('dropped'));

    // Stops while waiting out the backoff: it neither waits the minute nor subscribes again.
    await watch.stop();

    expect(subscriptions.made).toHaveLength(1);
  });

  it('given a watch stopped while its subscription is being opened, then that subscription is closed and stop returns', async () => {
    const subscriptions = fakeSubscriptions();
    let release: () => void = () => undefined;
    const opening = new Promise<void>((resolve) => (release = resolve));
    const watch = keepSubscribed({
      what: 'test subscription',
      open: async () => {
        await opening;
        return subscriptions.subscribe();
      },
      attach: () => undefined,
      log: silent,
      random: () => 0,
    });

    const stopped = watch.stop();
    release();
    await stopped;

    expect(subscriptions.made).toHaveLength(1);
    expect(subscriptions.latest().unsubscribed).toBe(true);
  });
});
