import { describe, expect, it } from 'vitest';
import { orderPacing, type OrderSend } from '../../src/application/orderPacing.js';

const spacingMs = 60_000;
const start = Date.parse('2026-11-28T08:00:00.000Z');

/** A clock the test moves by hand, and the pacing over it with a read model that says `recorded`. */
const paced = (recorded: Record<string, OrderSend> = {}) => {
  let now = start;
  const lookups: string[] = [];
  const pacing = orderPacing({
    spacingMs,
    clock: { now: () => new Date(now) },
    lastSent: (outTradeNo, exceptOutRefundNo) => {
      lookups.push(outTradeNo);
      const send = recorded[outTradeNo];
      return Promise.resolve(send?.outRefundNo === exceptOutRefundNo ? undefined : send);
    },
  });
  return { pacing, lookups, advance: (ms: number) => (now += ms) };
};

describe("WeChat's spacing of an order's refunds", () => {
  it('given three refunds of one order and one of another, when each asks for its turn as it comes due, then the order’s go out a spacing apart and the other at once', async () => {
    const { pacing, advance } = paced();
    const sent: Record<string, number> = {};
    const pending = ['R1', 'R2', 'R3'];
    let elapsed = 0;
    expect(await pacing.turn('T2', 'Q1')).toBe(0);
    sent['Q1'] = elapsed;
    while (pending.length > 0) {
      const waits = await Promise.all(pending.map((refund) => pacing.turn('T1', refund)));
      const ready = pending.filter((_, i) => waits[i] === 0);
      for (const refund of ready) {
        sent[refund] = elapsed;
        pending.splice(pending.indexOf(refund), 1);
      }
      if (pending.length === 0) break;
      expect(pacing.waiting()).toBe(pending.length);
      const next = Math.min(...waits.filter((wait) => wait > 0));
      advance(next);
      elapsed += next;
    }
    expect(sent).toEqual({ Q1: 0, R1: 0, R2: spacingMs, R3: 2 * spacingMs });
    expect(pacing.waiting()).toBe(0);
  });

  it('given a call that took a while, then the spacing counts from its answer', async () => {
    const { pacing, advance } = paced();
    expect(await pacing.turn('T1', 'R1')).toBe(0);
    advance(5000);
    pacing.answered('T1', 'R1');
    advance(spacingMs - 1000);
    // A spacing after the call began has passed; after its answer, not yet.
    expect(await pacing.turn('T1', 'R2')).toBe(1000);
  });

  it('given a refund sent, when the same refund is sent again (a non-answer retried), then it is not held up by itself', async () => {
    const { pacing } = paced();
    expect(await pacing.turn('T1', 'R1')).toBe(0);
    pacing.answered('T1', 'R1');
    expect(await pacing.turn('T1', 'R1')).toBe(0);
  });

  it('given two refunds of a new order asking at the same moment, then only one takes the turn', async () => {
    const { pacing } = paced();
    const waits = await Promise.all([pacing.turn('T1', 'R1'), pacing.turn('T1', 'R2')]);
    expect(waits.toSorted((a, b) => a - b)).toEqual([0, spacingMs]);
  });

  it('given a send the read models recorded before a restart, then a refund of that order waits for the rest of the spacing, and the read models are asked once', async () => {
    const { pacing, lookups } = paced({ T1: { at: start - 20_000, outRefundNo: 'R1' } });
    expect(await pacing.turn('T1', 'R2')).toBe(40_000);
    expect(await pacing.turn('T1', 'R3')).toBe(40_000);
    expect(lookups).toEqual(['T1']);
    expect(await pacing.turn('T2', 'Q1')).toBe(0);
  });

  it('given a recorded send longer ago than the spacing, then the refund goes at once', async () => {
    const { pacing } = paced({ T1: { at: start - spacingMs, outRefundNo: 'R1' } });
    expect(await pacing.turn('T1', 'R2')).toBe(0);
  });

  it('given a spacing of 0, then nothing waits and the read models are never asked', async () => {
    const lookups: string[] = [];
    const pacing = orderPacing({
      spacingMs: 0,
      clock: { now: () => new Date(start) },
      lastSent: (outTradeNo) => {
        lookups.push(outTradeNo);
        return Promise.resolve({ at: start, outRefundNo: 'R0' });
      },
    });
    expect(await pacing.turn('T1', 'R1')).toBe(0);
    expect(await pacing.turn('T1', 'R2')).toBe(0);
    expect(lookups).toEqual([]);
    expect(pacing.longestWaitMs).toBe(0);
  });

  it('then the longest wait is that of the last of an order’s 50 refunds', () => {
    expect(paced().pacing.longestWaitMs).toBe(49 * spacingMs);
  });
});
