import { describe, expect, it } from 'vitest';
import {
  ConcurrencyConflict,
  createRefundCommandHandler,
} from '../../src/application/handleRefundCommand.js';
import type { EventStore } from '../../src/application/ports/eventStore.js';
import { UnreadableEventError } from '../../src/application/refundEventCodec.js';
import { createStreamStateCache } from '../../src/application/streamStateCache.js';
import {
  acceptRefund,
  failRefund,
  markSucceeded,
  refundAccepted,
  requestRefund,
  retryRefund,
} from '../domain/refund/refundFixtures.js';
import { sqliteStoresPerTest } from '../support/fixtures.js';

const api = { correlationId: 'corr-1', causationId: 'req-1', source: 'api' } as const;

describe('refund command handling on the SQLite store', () => {
  const stores = sqliteStoresPerTest();

  it('given a new refund, when requested, then RefundRequested is stored with the command metadata', async () => {
    const handle = createRefundCommandHandler({ events: stores.events });

    const result = await handle(requestRefund(), api);

    expect(result.appended.map((e) => e.type)).toEqual(['RefundRequested']);
    expect(result.revision).toBe(0n);
    const [stored] = await stores.events.readStream('refund-R1');
    expect(stored?.metadata).toEqual({ ...api, schemaVersion: 1 });
  });

  it('given a command already reflected, then nothing is appended and the state is returned', async () => {
    const handle = createRefundCommandHandler({ events: stores.events });
    await handle(requestRefund(), api);

    const result = await handle(requestRefund(), api);

    expect(result.appended).toEqual([]);
    expect(result.state.status).toBe('REQUESTED');
    expect(await stores.events.readStream('refund-R1')).toHaveLength(1);
  });

  it('given an acceptance and a SUCCESS notification racing, then both land in order without a conflict error', async () => {
    const handle = createRefundCommandHandler({ events: stores.events });
    await handle(requestRefund(), api);

    await Promise.all([
      handle(acceptRefund(), { ...api, source: 'gateway' }),
      handle(markSucceeded(), { ...api, source: 'notification' }),
    ]);

    const types = (await stores.events.readStream('refund-R1')).map((e) => e.type);
    expect(types[0]).toBe('RefundRequested');
    expect(types).toContain('RefundSucceeded');
    expect(types.filter((t) => t === 'RefundSucceeded')).toHaveLength(1);
  });

  it('given a command whose event would not read back, then it is refused and nothing is appended', async () => {
    const handle = createRefundCommandHandler({ events: stores.events });
    await handle(requestRefund(), api);
    await handle(acceptRefund(), api);

    await expect(handle(markSucceeded({ settlementRefundFee: -1 }), api)).rejects.toBeInstanceOf(
      UnreadableEventError,
    );
    expect((await stores.events.readStream('refund-R1')).map((e) => e.type)).toEqual([
      'RefundRequested',
      'RefundAccepted',
    ]);
  });

  it('given a writer that always wins the race, then the handler gives up after its bounded attempts', async () => {
    const handle = createRefundCommandHandler({ events: stores.events, maxAttempts: 3 });
    await handle(requestRefund(), api);
    // Another writer appends between every read and append of ours.
    const racing: EventStore = {
      ...stores.events,
      readStream: async (name) => {
        const read = await stores.events.readStream(name);
        await stores.events.append(
          name,
          [
            {
              id: crypto.randomUUID(),
              type: 'RefundAccepted',
              data: refundAccepted().data,
              metadata: { ...api, schemaVersion: 1 },
            },
          ],
          read.at(-1)!.revision,
        );
        return read;
      },
    };

    await expect(
      createRefundCommandHandler({ events: racing, maxAttempts: 3 })(markSucceeded(), api),
    ).rejects.toBeInstanceOf(ConcurrencyConflict);
  });

  describe('with a stream state cache', () => {
    /** The real store, counting the streams it is asked to read. */
    const counting = (store: EventStore) => {
      const reads = { count: 0 };
      return {
        reads,
        store: {
          ...store,
          readStream: (name: string) => {
            reads.count++;
            return store.readStream(name);
          },
        } satisfies EventStore,
      };
    };
    const typesOf = async () => (await stores.events.readStream('refund-R1')).map((e) => e.type);

    it('given a refund this process just wrote, when the next command comes, then it decides without reading the stream', async () => {
      const { reads, store } = counting(stores.events);
      const handle = createRefundCommandHandler({ events: store, cache: createStreamStateCache() });
      await handle(requestRefund(), api);
      const readsAfterRequest = reads.count;

      const result = await handle(acceptRefund(), { ...api, source: 'gateway' });

      expect(reads.count).toBe(readsAfterRequest);
      expect(result.appended.map((e) => e.type)).toEqual(['RefundAccepted']);
      expect(result.revision).toBe(1n);
      expect(await typesOf()).toEqual(['RefundRequested', 'RefundAccepted']);
    });

    it('given another writer appended, when a cached decision is appended, then the conflict evicts, reloads and decides on the stored stream', async () => {
      const cache = createStreamStateCache();
      const handle = createRefundCommandHandler({ events: stores.events, cache });
      const elsewhere = createRefundCommandHandler({ events: stores.events });
      await handle(requestRefund(), api);
      await elsewhere(acceptRefund(), { ...api, source: 'gateway' });

      const result = await handle(markSucceeded(), { ...api, source: 'notification' });

      expect(result.revision).toBe(2n);
      expect(result.history.map((e) => e.type)).toEqual([
        'RefundRequested',
        'RefundAccepted',
        'RefundSucceeded',
      ]);
      expect(await typesOf()).toEqual(['RefundRequested', 'RefundAccepted', 'RefundSucceeded']);
      expect(cache.get('refund-R1')?.revision).toBe(2n);
    });

    it('given another writer appended, when the cached state calls the command a no-op, then the stored stream decides', async () => {
      const handle = createRefundCommandHandler({
        events: stores.events,
        cache: createStreamStateCache(),
      });
      const elsewhere = createRefundCommandHandler({ events: stores.events });
      await handle(requestRefund(), api);
      await handle(failRefund('request', 'NOTENOUGH'), api);
      await elsewhere(retryRefund(), api);

      // Cached: FAILED with NOTENOUGH, so the same failure would be "already reflected".
      const result = await handle(failRefund('request', 'NOTENOUGH'), api);

      expect(result.appended.map((e) => e.type)).toEqual(['RefundFailed']);
      expect(await typesOf()).toEqual([
        'RefundRequested',
        'RefundFailed',
        'RefundRequested',
        'RefundFailed',
      ]);
    });

    it('given another writer appended, when the cached state refuses the command, then the stored stream decides', async () => {
      const handle = createRefundCommandHandler({
        events: stores.events,
        cache: createStreamStateCache(),
      });
      const elsewhere = createRefundCommandHandler({ events: stores.events });
      await handle(requestRefund(), api);
      await handle(failRefund('request', 'NOTENOUGH'), api);
      await elsewhere(retryRefund(), api);

      // Cached: FAILED at request, which refuses an acceptance.
      const result = await handle(acceptRefund(), { ...api, source: 'gateway' });

      expect(result.appended.map((e) => e.type)).toEqual(['RefundAccepted']);
      expect(await typesOf()).toEqual([
        'RefundRequested',
        'RefundFailed',
        'RefundRequested',
        'RefundAccepted',
      ]);
    });

    it('given a refusal on the stored stream, then it is refused as without a cache', async () => {
      const handle = createRefundCommandHandler({
        events: stores.events,
        cache: createStreamStateCache(),
      });
      await handle(requestRefund(), api);
      await handle(failRefund('request', 'NOTENOUGH'), api);

      await expect(handle(acceptRefund(), api)).rejects.toMatchObject({
        code: 'REFUND_ALREADY_FAILED',
      });
      expect(await typesOf()).toEqual(['RefundRequested', 'RefundFailed']);
    });
  });
});
