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
  sleep?: (ms: number) => Promise<void>;
};

/**
 * Webhook delivery is background work: a refund's outcome is recorded and answered without it,
 * and a receiver hears of it at least once, seconds later or minutes. On cores the API needs, it
 * must not take the requests' time. While the API is saturated, deliveries go at a fixed modest
 * rate (a token bucket: `pace` waits until its units are paid for); otherwise, and as soon as
 * the API is no longer busy, nothing waits. The lag a busy spell leaves shows in
 * `webhook_oldest_pending_delivery_seconds`.
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
  sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
}: DeliveryPacerOptions) => {
  let tokens = burst;
  let refilledAt = now();
  let stopped = false;

  const refill = (): void => {
    const at = now();
    tokens = Math.min(burst, tokens + ((at - refilledAt) * busyRatePerSecond) / 1000);
    refilledAt = at;
  };

  return {
    /** Resolves once `units` deliveries may be made: at once unless the API is busy. */
    pace: async (units: number): Promise<void> => {
      refill();
      if (stopped || !busy()) return;
      tokens -= units;
      while (!stopped && tokens < 0 && busy()) {
        await sleep(Math.min(recheckMs, (-tokens * 1000) / busyRatePerSecond));
        refill();
      }
    },
    /** Lets every waiter through (delivery is stopping). */
    stop: (): void => {
      stopped = true;
    },
  };
};

export type DeliveryPacer = ReturnType<typeof createDeliveryPacer>;
export type Pace = DeliveryPacer['pace'];
