import { maxRefundsPerOrder } from '../domain/index.js';
import type { Clock } from './ports/clock.js';

/** A send of one of an order's refunds: when (epoch ms), and which refund. */
export type OrderSend = { at: number; outRefundNo: string };

export type OrderPacing = {
  /**
   * How long the refund must still wait before it is sent (WECHAT.md "Limits": refunds of one
   * order at least a minute apart). 0: send it now; the order's turn is then taken.
   */
  turn: (outTradeNo: string, outRefundNo: string) => Promise<number>;
  /** The call for the refund ended: the spacing counts from now, when WeChat surely has it. */
  answered: (outTradeNo: string, outRefundNo: string) => void;
  /** Refunds told to wait whose turn has not come yet. */
  waiting: () => number;
  /** The longest a refund can be told to wait: the last of an order's 50 refunds. */
  longestWaitMs: number;
};

/**
 * WeChat's spacing of an order's refunds, for the gateway. A refund waits while another refund
 * of its order was sent less than spacingMs ago; sending the same refund again (a retry of a
 * non-answer) is not held up by its own earlier call. Only the sends of the recent past are kept
 * in memory; for an order not seen recently the read models tell (`lastSent`), so the rule holds
 * across a restart. One process's view: instances sharing a log see each other's sends only
 * through the read models.
 */
export const orderPacing = ({
  spacingMs,
  clock,
  lastSent,
}: {
  spacingMs: number;
  clock: Clock;
  /** The last recorded send of one of the order's refunds other than the one given. */
  lastSent: (outTradeNo: string, exceptOutRefundNo: string) => Promise<OrderSend | undefined>;
}): OrderPacing => {
  const sends = new Map<string, OrderSend>();
  /** Refunds told to wait, until when. */
  const waits = new Map<string, number>();
  let sweptAt = 0;

  /** Forgets what no longer holds anything up, at most once a second. */
  const sweep = (now: number): void => {
    if (now - sweptAt < 1000) return;
    sweptAt = now;
    for (const [order, send] of sends) if (send.at + spacingMs <= now) sends.delete(order);
    for (const [refund, until] of waits) if (until <= now) waits.delete(refund);
  };

  /** The later of two sends (either may be unknown). */
  const later = (a: OrderSend | undefined, b: OrderSend | undefined) =>
    !a || (b && b.at > a.at) ? b : a;

  return {
    turn: async (outTradeNo, outRefundNo) => {
      if (spacingMs === 0) return 0;
      const recorded = sends.has(outTradeNo) ? undefined : await lastSent(outTradeNo, outRefundNo);
      // From here on synchronous: two refunds of the order asking at once cannot both take it.
      const last = later(sends.get(outTradeNo), recorded);
      const now = clock.now().getTime();
      sweep(now);
      if (last && last.outRefundNo !== outRefundNo && now < last.at + spacingMs) {
        if (last === recorded) sends.set(outTradeNo, recorded);
        const until = last.at + spacingMs;
        waits.set(outRefundNo, until);
        return until - now;
      }
      waits.delete(outRefundNo);
      sends.set(outTradeNo, { at: now, outRefundNo });
      return 0;
    },
    answered: (outTradeNo, outRefundNo) => {
      if (spacingMs === 0) return;
      sends.set(outTradeNo, { at: clock.now().getTime(), outRefundNo });
    },
    waiting: () => {
      const now = clock.now().getTime();
      let count = 0;
      for (const until of waits.values()) if (until > now) count += 1;
      return count;
    },
    longestWaitMs: spacingMs * (maxRefundsPerOrder - 1),
  };
};
