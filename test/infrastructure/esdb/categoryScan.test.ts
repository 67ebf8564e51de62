import type { AllStreamResolvedEvent } from '@eventstore/db-client';
import { describe, expect, it } from 'vitest';
import {
  scanCategoryForward,
  scanCategoryHead,
  type ReadAllChunk,
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

const readers = (log: AllStreamResolvedEvent[]) => {
  const reads: { from: bigint | undefined; count: number }[] = [];
  const positionOf = (e: AllStreamResolvedEvent) => e.event!.position.commit;
  const forward: ReadAllChunk = (from, count) => {
    reads.push({ from, count });
    return Promise.resolve(
      log.filter((e) => from === undefined || positionOf(e) >= from).slice(0, count),
    );
  };
  const backward: ReadAllChunk = (from, count) => {
    reads.push({ from, count });
    return Promise.resolve(
      [...log]
        .reverse()
        .filter((e) => from === undefined || positionOf(e) <= from)
        .slice(0, count),
    );
  };
  return { forward, backward, reads };
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

describe('scanning $all for a category', () => {
  it('given a mixed log, when scanning from the start, then only the category’s own events come, in order', async () => {
    for (const chunkSize of [2, 3, 4, 100]) {
      const { forward } = readers(log);
      const found = await scanCategoryForward({
        readChunk: forward,
        category: 'refund',
        after: undefined,
        limit: 100,
        chunkSize,
      });
      expect(typesOf(found), `chunk size ${chunkSize}`).toEqual(refundTypes);
    }
  });

  it('given pages of a limit, when each starts after the last position, then together they are the category once', async () => {
    for (const chunkSize of [2, 3, 7]) {
      const { forward } = readers(log);
      const pages: AllStreamResolvedEvent[][] = [];
      let after: bigint | undefined;
      for (;;) {
        const page = await scanCategoryForward({
          readChunk: forward,
          category: 'refund',
          after,
          limit: 1,
          chunkSize,
        });
        if (page.length === 0) break;
        pages.push(page);
        after = page.at(-1)!.event!.position.commit;
      }
      expect(pages.map((page) => page.length)).toEqual([1, 1, 1, 1]);
      expect(typesOf(pages.flat()), `chunk size ${chunkSize}`).toEqual(refundTypes);
    }
  });

  it('given a position, then the event exactly at it is skipped (after is exclusive)', async () => {
    const { forward } = readers(log);
    const firstRefund = log[1]!.event!.position.commit;

    const found = await scanCategoryForward({
      readChunk: forward,
      category: 'refund',
      after: firstRefund,
      limit: 100,
      chunkSize: 100,
    });

    expect(found[0]!.event!.streamId).toBe('refund-R2');
    expect(found.every((e) => e.event!.position.commit > firstRefund)).toBe(true);
  });

  it('given the last position of the category, then nothing more', async () => {
    const { forward } = readers(log);
    const last = log[8]!.event!.position.commit;

    expect(
      await scanCategoryForward({
        readChunk: forward,
        category: 'refund',
        after: last,
        limit: 10,
        chunkSize: 2,
      }),
    ).toEqual([]);
  });

  it('given a limit reached inside a chunk, then it stops reading', async () => {
    const { forward, reads } = readers(log);

    const found = await scanCategoryForward({
      readChunk: forward,
      category: 'refund',
      after: undefined,
      limit: 2,
      chunkSize: 100,
    });

    expect(typesOf(found)).toEqual(['RefundRequested', 'RefundRequested']);
    expect(reads).toHaveLength(1);
  });

  it('given the log, when looking for the head, then the position of the category’s last event', async () => {
    for (const chunkSize of [2, 3, 100]) {
      const { backward } = readers(log);
      expect(
        await scanCategoryHead({ readChunk: backward, category: 'refund', chunkSize }),
        `chunk size ${chunkSize}`,
      ).toBe(log[8]!.event!.position.commit);
    }
  });

  it('given a category without events, then no head, after reading $all back to its start', async () => {
    const { backward, reads } = readers(log);

    expect(
      await scanCategoryHead({ readChunk: backward, category: 'none', chunkSize: 3 }),
    ).toBeUndefined();
    // The last chunk reached the start of $all (its first event is the oldest but one).
    expect(reads.at(-1)!.from).toBe(log[1]!.event!.position.commit);
  });

  it('given an empty log, then nothing and no head', async () => {
    const { forward, backward } = readers([]);

    expect(
      await scanCategoryForward({
        readChunk: forward,
        category: 'refund',
        after: undefined,
        limit: 5,
        chunkSize: 5,
      }),
    ).toEqual([]);
    expect(
      await scanCategoryHead({ readChunk: backward, category: 'refund', chunkSize: 5 }),
    ).toBeUndefined();
  });

  it('given a chunk size that cannot make progress, then it refuses', async () => {
    const { forward, backward } = readers(log);
    await expect(
      scanCategoryForward({
        readChunk: forward,
        category: 'r',
        after: undefined,
        limit: 1,
        chunkSize: 1,
      }),
    ).rejects.toThrow();
    await expect(
      scanCategoryHead({ readChunk: backward, category: 'r', chunkSize: 1 }),
    ).rejects.toThrow();
  });
});
