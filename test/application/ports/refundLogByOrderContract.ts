import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EventStore, JsonObject } from '../../../src/application/ports/eventStore.js';
import type {
  OrderGroup,
  RefundLogByOrder,
  StreamEvents,
} from '../../../src/application/ports/refundLogByOrder.js';
import { createSqliteEventStore } from '../../../src/infrastructure/sqlite/sqliteEventStore.js';
import {
  refundAccepted,
  refundRequested,
  refundSucceeded,
} from '../../domain/refund/refundFixtures.js';
import { appendUnchecked } from '../../support/appendUnchecked.js';
import { makeTempDir, type TempDir } from '../../support/fixtures.js';

/** Opens the adapter on the log of `events` (an SQLite store in `dir`, file `events.db`). */
export type OpenRefundLog = (
  events: EventStore,
  dir: string,
  head: bigint | undefined,
  options: { pageSize: number },
) => Promise<RefundLogByOrder>;

/** The streams of a group as `name: revisions`, events in the order given. */
const shape = (streams: StreamEvents[]) =>
  streams.map(
    ({ streamName, events }) => `${streamName}: ${events.map((e) => e.revision).join(',')}`,
  );

const allGroups = async (log: RefundLogByOrder): Promise<OrderGroup[]> => {
  const groups: OrderGroup[] = [];
  for await (const group of log.groups()) groups.push(group);
  return groups;
};

const drain = async <T>(pages: AsyncIterable<T[]>): Promise<T[]> => {
  const all: T[] = [];
  for await (const page of pages) all.push(...page);
  return all;
};

/** What every adapter of the RefundLogByOrder port must do. */
export const refundLogByOrderContract = (adapter: string, open: OpenRefundLog): void => {
  describe(`RefundLogByOrder contract: ${adapter}`, () => {
    let temp: TempDir;
    let events: EventStore;
    const opened: RefundLogByOrder[] = [];
    const openLog = async (head: bigint | undefined, pageSize = 3) => {
      const log = await open(events, temp.dir, head, { pageSize });
      opened.push(log);
      return log;
    };
    const append = (stream: string, type: string, data: JsonObject) =>
      appendUnchecked(events, stream, type, data);
    const refund = (outRefundNo: string, outTradeNo: string) => ({ outRefundNo, outTradeNo });

    /**
     * Orders T0 (R3, R5), T1 (R1, R2), T2 (R4, whose request names T9: a stray), none (R7, whose
     * first event names no order as a string); R5's acceptance names R6 (a stray). Returns the
     * head; R8 is appended after it.
     */
    const writeLog = async () => {
      await append('refund-R2', 'RefundRequested', { ...refundRequested(refund('R2', 'T1')).data });
      await append('refund-R3', 'RefundRequested', { ...refundRequested(refund('R3', 'T0')).data });
      await append('refund-R4', 'RefundAccepted', { ...refundAccepted(refund('R4', 'T2')).data });
      await append('refund-R1', 'RefundRequested', { ...refundRequested(refund('R1', 'T1')).data });
      await append('refund-R5', 'RefundRequested', { ...refundRequested(refund('R5', 'T0')).data });
      await append('refund-R2', 'RefundAccepted', { ...refundAccepted(refund('R2', 'T1')).data });
      await append('refund-R4', 'RefundRequested', { ...refundRequested(refund('R4', 'T9')).data });
      await append('refund-R5', 'RefundAccepted', { ...refundAccepted(refund('R6', 'T0')).data });
      await append('refund-R7', 'RefundRequested', {
        ...refundRequested(refund('R7', 'T1')).data,
        outTradeNo: 42,
      });
      const head = await append('refund-R3', 'RefundSucceeded', {
        ...refundSucceeded(refund('R3', 'T0')).data,
      });
      await append('refund-R8', 'RefundRequested', { ...refundRequested(refund('R8', 'T1')).data });
      return head;
    };

    beforeEach(() => {
      temp = makeTempDir();
      events = createSqliteEventStore({ file: path.join(temp.dir, 'events.db') });
    });
    afterEach(async () => {
      for (const log of opened.splice(0)) await log.close();
      await events.close();
      temp.remove();
    });

    it('given refunds of several orders, then each order is one group, in order (no order first), streams by name, events by position, up to the head', async () => {
      const head = await writeLog();
      const log = await openLog(head);

      const groups = await allGroups(log);

      expect(groups.map(({ order, streams }) => [order, shape(streams)])).toEqual([
        [null, ['refund-R7: 0']],
        ['T0', ['refund-R3: 0,1', 'refund-R5: 0,1']],
        ['T1', ['refund-R1: 0', 'refund-R2: 0,1']],
        ['T2', ['refund-R4: 0,1']],
      ]);
      const positions = groups.flatMap((g) =>
        g.streams.flatMap((s) => s.events.map((e) => e.position)),
      );
      expect(new Set(positions).size).toBe(10);
      expect(positions.every((position) => position <= head)).toBe(true);
      expect({ head: log.head, events: log.events }).toEqual({ head, events: 10 });
    });

    it('given refunds of several orders, then it lists the refunds with a stream and the orders with a group, in order', async () => {
      const log = await openLog(await writeLog());

      expect(await drain(log.keys('refunds'))).toEqual(['R1', 'R2', 'R3', 'R4', 'R5', 'R7']);
      expect(await drain(log.keys('orders'))).toEqual(['T0', 'T1', 'T2']);
    });

    it('given events naming another order or refund than their stream, then they are the strays, in log order, with their stream’s order', async () => {
      const log = await openLog(await writeLog());

      const strays = await drain(log.strays());

      expect(strays.map(({ event, order }) => [event.streamName, event.revision, order])).toEqual([
        ['refund-R4', 1n, 'T2'],
        ['refund-R5', 1n, 'T0'],
      ]);
    });

    it('given orders and refunds, then the streams naming them, and the refunds’ own, come whole', async () => {
      const log = await openLog(await writeLog());

      expect(shape(await log.streamsNaming({ orders: ['T9'], refunds: ['R6'] }))).toEqual([
        'refund-R4: 0,1',
        'refund-R5: 0,1',
      ]);
      expect(shape(await log.streamsNaming({ orders: [], refunds: ['R3'] }))).toEqual([
        'refund-R3: 0,1',
      ]);
      expect(shape(await log.streamsNaming({ orders: ['T1'], refunds: [] }))).toEqual([
        'refund-R1: 0',
        'refund-R2: 0,1',
      ]);
    });

    it('given an empty log, then no group, no key, no stray', async () => {
      const log = await openLog(undefined);

      expect(await allGroups(log)).toEqual([]);
      expect(await drain(log.keys('refunds'))).toEqual([]);
      expect(await drain(log.strays())).toEqual([]);
      expect(log.events).toBe(0);
    });
  });
};
