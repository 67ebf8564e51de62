import type { AllStreamResolvedEvent } from '@eventstore/db-client';
import { describe, expect, it } from 'vitest';
import { EventEmitter } from 'node:events';
import {
  CatchUpTimedOut,
  createCategoryReader,
  scanCategoryHead,
  type ReadAllChunk,
  type SubscribeToCategory,
} from '../../../src/infrastructure/esdb/categoryScan.js';

/**
 * An in-memory $all with the server's read semantics: a read from a position includes the event at
 * that position; forwards from the start, backwards from the end. Positions are sparse, as byte
 * offsets in the transaction log are, and large (beyond 2^53).
 */
const base = 2n ** 53n;
const logOf = (streams: [streamId: string, type: string][]): AllStreamResolvedEvent[] =>
  streams.map(([streamId, type], i) => {
    const position = base + BigInt(i * 137);
    return {
      event: {
        streamId,
        id: `id-${i}`,
        revision: 0n,
        type,
        isJson: true,
        created: new Date(0),
        data: {},
        metadata: undefined,
        position: { commit: position, prepare: position },
      },
      commitPosition: position,
    };
  });

const positionOf = (e: AllStreamResolvedEvent) => e.event!.position.commit;

/** Reads of $all backwards, as the server answers them (inclusive of the position). */
const backwardReader = (log: AllStreamResolvedEvent[]) => {
  const reads: { from: bigint | undefined; count: number }[] = [];
  const backward: ReadAllChunk = (from, count) => {
    reads.push({ from, count });
    return Promise.resolve(
      [...log]
        .reverse()
        .filter((e) => from === undefined || positionOf(e) <= from)
        .slice(0, count),
    );
  };
  return { backward, reads };
};

/**
 * A filtered catch-up subscription to $all with the server's semantics (EventStoreDB 24.10,
 * Enumerator.AllSubscriptionFiltered): it starts after the position, sends the events whose
 * stream has the prefix, a checkpoint each `window` events it considered and one at the end, then
 * says it caught up. `caughtUp: false` plays a server before 23.10, which never says so.
 */
const fakeServer = (
  log: AllStreamResolvedEvent[],
  { window = 2, caughtUp = true }: { window?: number; caughtUp?: boolean } = {},
) => {
  const opened: { from: bigint | undefined; unsubscribed: boolean }[] = [];
  const subscribe: SubscribeToCategory = (category, from, checkpoint) => {
    const emitter = new EventEmitter();
    const record = { from: from?.commit, unsubscribed: false };
    opened.push(record);
    setImmediate(() => {
      const considered = log.filter(
        (e) => record.from === undefined || positionOf(e) > record.from,
      );
      considered.forEach((e, i) => {
        if (record.unsubscribed) return;
        if (e.event!.streamId.startsWith(`${category}-`)) emitter.emit('data', e);
        if ((i + 1) % window === 0) checkpoint(e.event!.position);
      });
      const last = considered.at(-1);
      if (record.unsubscribed) return;
      if (last) checkpoint(last.event!.position);
      if (caughtUp) emitter.emit('caughtUp');
    });
    return Object.assign(emitter, {
      unsubscribe: () => {
        record.unsubscribed = true;
        return Promise.resolve();
      },
    });
  };
  return { subscribe, opened };
};

const log = logOf([
  ['$stats-1', '$statsCollected'],
  ['refund-R1', 'RefundRequested'],
  ['$ce-refund', '$>'],
  ['order-T1', 'OrderPlaced'],
  ['refund-R2', 'RefundRequested'],
  ['refund-R1', 'RefundAccepted'],
  ['refunds-X', 'Other'],
  ['refund-R3', '$streamDeleted'],
  ['refund-R2', 'RefundFailed'],
  ['$ce-refund', '$>'],
]);
const refundTypes = ['RefundRequested', 'RefundRequested', 'RefundAccepted', 'RefundFailed'];
const typesOf = (events: AllStreamResolvedEvent[]) => events.map((e) => e.event?.type);

describe('reading a category through a filtered catch-up subscription', () => {
  const reader = (server: ReturnType<typeof fakeServer>, timeoutMs = 5_000) =>
    createCategoryReader({ subscribe: server.subscribe, timeoutMs });

  it('given a mixed log, when reading from the start, then only the category’s own events come, in order', async () => {
    const server = fakeServer(log);

    expect(typesOf(await reader(server)('refund', undefined, 100))).toEqual(refundTypes);
    expect(server.opened).toEqual([{ from: undefined, unsubscribed: true }]);
  });

  it('given pages of a limit, when each starts after the last position, then together they are the category once', async () => {
    const read = reader(fakeServer(log));
    const pages: AllStreamResolvedEvent[][] = [];
    let after: bigint | undefined;
    for (;;) {
      const page = await read('refund', after, 1);
      if (page.length === 0) break;
      pages.push(page);
      after = positionOf(page.at(-1)!);
    }

    expect(pages.map((page) => page.length)).toEqual([1, 1, 1, 1]);
    expect(typesOf(pages.flat())).toEqual(refundTypes);
  });

  it('given a position, then the event exactly at it is not read again (after is exclusive)', async () => {
    const firstRefund = positionOf(log[1]!);

    const found = await reader(fakeServer(log))('refund', firstRefund, 100);

    expect(found[0]!.event!.streamId).toBe('refund-R2');
    expect(found.every((e) => positionOf(e) > firstRefund)).toBe(true);
  });

  it('given a limit, then the read ends at it and the subscription is closed', async () => {
    const server = fakeServer(log);

    expect(typesOf(await reader(server)('refund', undefined, 2))).toEqual([
      'RefundRequested',
      'RefundRequested',
    ]);
    expect(server.opened.every((opened) => opened.unsubscribed)).toBe(true);
  });

  it('given a read that reached the head, when the next read starts from the same position, then the server searches on from its last checkpoint, not from that position again', async () => {
    const growing = [...log];
    const server = fakeServer(growing);
    const read = reader(server);
    const lastRefund = positionOf(log[8]!);
    const searchedThrough = positionOf(log[9]!);

    expect(await read('refund', lastRefund, 10)).toEqual([]);
    const appended = logOf([
      ...log.map((e): [string, string] => [e.event!.streamId, e.event!.type]),
      ['refund-R9', 'RefundRequested'],
    ]).at(-1)!;
    growing.push(appended);
    const next = await read('refund', lastRefund, 10);
    const elsewhere = await read('refund', positionOf(log[4]!), 10);

    expect(next).toEqual([appended]);
    expect(typesOf(elsewhere)).toEqual(['RefundAccepted', 'RefundFailed', 'RefundRequested']);
    expect(server.opened.map((opened) => opened.from)).toEqual([
      lastRefund,
      searchedThrough,
      positionOf(log[4]!),
    ]);
  });

  it('given an empty log, then nothing', async () => {
    expect(await reader(fakeServer([]))('refund', undefined, 5)).toEqual([]);
  });

  it('given a server that never says it caught up (before 23.10), then the read fails in time instead of hanging', async () => {
    const server = fakeServer(log, { caughtUp: false });

    await expect(reader(server, 100)('refund', positionOf(log[8]!), 10)).rejects.toThrow(
      CatchUpTimedOut,
    );
    expect(server.opened[0]!.unsubscribed).toBe(true);
  });

  it('given a subscription that fails, then the read fails with its error', async () => {
    const failing: SubscribeToCategory = () => {
      const emitter = new EventEmitter();
      setImmediate(() => emitter.emit('error', new Error('14 UNAVAILABLE: gone')));
      return Object.assign(emitter, { unsubscribe: () => Promise.resolve() });
    };

    await expect(
      createCategoryReader({ subscribe: failing, timeoutMs: 5_000 })('refund', undefined, 1),
    ).rejects.toThrow(/UNAVAILABLE/);
  });
});

describe('looking back through $all for a category’s last event', () => {
  it('given the log, then the position of the category’s last event', async () => {
    for (const chunkSize of [2, 3, 100]) {
      const { backward } = backwardReader(log);
      expect(
        await scanCategoryHead({ readChunk: backward, category: 'refund', chunkSize }),
        `chunk size ${chunkSize}`,
      ).toBe(positionOf(log[8]!));
    }
  });

  it('given a category without events, then no head, after reading $all back to its start', async () => {
    const { backward, reads } = backwardReader(log);

    expect(
      await scanCategoryHead({ readChunk: backward, category: 'none', chunkSize: 3 }),
    ).toBeUndefined();
    // The last chunk reached the start of $all (its first event is the oldest but one).
    expect(reads.at(-1)!.from).toBe(positionOf(log[1]!));
  });

  it('given an empty log, then no head', async () => {
    const { backward } = backwardReader([]);
    expect(
      await scanCategoryHead({ readChunk: backward, category: 'refund', chunkSize: 5 }),
    ).toBeUndefined();
  });

  it('given a chunk size that cannot make progress, then it refuses', async () => {
    const { backward } = backwardReader(log);
    await expect(
      scanCategoryHead({ readChunk: backward, category: 'r', chunkSize: 1 }),
    ).rejects.toThrow();
  });
});
