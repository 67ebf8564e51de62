import { createPauser } from '../pauser.js';

export type DeliveryPacerOptions = {
  /** Whether the API is saturated now (infrastructure/observability/apiLoad.ts). */
  busy: () => boolean;
  /** Deliveries per second while it is: a backlog never stops moving altogether. */
  busyRatePerSecond?: number;
  /** Deliveries a quiet spell lets through at once when the API turns busy. */
  burst?: number;
  /** How often a waiting delivery looks whether the API is still busy. */
  recheckMs?: number;
  now?: () => number;
  /** By default a sleep that `stop` ends at once. */
  sleep?: (ms: number) => Promise<void>;
};

/**
 * Webhook delivery is background work: a refund's outcome is recorded and answered without it,
 * and a receiver hears of it at least once, seconds later or minutes. On cores the API needs, it
 * must not take the requests' time. While the API is saturated, deliveries go at a fixed modest
 * rate; otherwise, and as soon as the API is no longer busy, nothing waits. The lag a busy spell
 * leaves shows in `webhook_oldest_pending_delivery_seconds`.
 *
 * The rate is kept as a schedule (the generic cell rate algorithm): each call takes the next
 * `units` slots and waits for its own, so a big page paced after a small one does not hold the
 * small one back. What a quiet spell let through unpaced is not charged to the next busy one.
 *
 * One unit is one delivery made: the fan-out pays for the deliveries it creates (they are
 * attempted at once when their lane has room), a lane for those it takes from the store.
 */
export const createDeliveryPacer = ({
  busy,
  busyRatePerSecond = 50,
  burst = Math.max(1, busyRatePerSecond / 5),
  recheckMs = 100,
  now = () => performance.now(),
  sleep,
}: DeliveryPacerOptions) => {
  const pauser = createPauser();
  const pause = sleep ?? pauser.pause;
  const slotMs = 1000 / busyRatePerSecond;
  // When the deliveries paced so far are paid for; a call may go `burst` slots ahead of it.
  let paidUntil = now();
  let stopped = false;

  return {
    /** Resolves once `units` deliveries may be made: at once unless the API is busy. */
    pace: async (units: number): Promise<void> => {
      const at = now();
      if (stopped || !busy()) {
        paidUntil = Math.min(paidUntil, at);
        return;
      }
      paidUntil = Math.max(paidUntil, at) + units * slotMs;
      const ready = paidUntil - burst * slotMs;
      while (!stopped && busy() && now() < ready) {
        await pause(Math.min(recheckMs, ready - now()));
      }
    },
    /** Lets every waiter through (delivery is stopping). */
    stop: (): void => {
      stopped = true;
      pauser.stop();
    },
  };
};

export type DeliveryPacer = ReturnType<typeof createDeliveryPacer>;
export type Pace = DeliveryPacer['pace'];
