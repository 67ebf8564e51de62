import type {
  RefundGateway,
  RefundOutcome,
  RefundQueryOutcome,
} from '../../application/ports/refundGateway.js';

export type FailureCeilingOptions = {
  /** Failing calls allowed per second: WeChat allows 6 (WECHAT.md "Limits"). */
  perSecond?: number;
  /** Monotonic milliseconds. */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
};

/** A call WeChat did not take or answer as asked: what its 6-per-second rule counts. */
const failed = (outcome: RefundOutcome | RefundQueryOutcome): boolean =>
  outcome.kind !== 'accepted' && outcome.kind !== 'found';

const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * WeChat takes at most 6 failing calls per second (150 in all: WECHAT_MAX_RPS). While calls
 * succeed nothing waits; once 6 calls failed within the last second, the next calls are let
 * through one by one, each when the last second holds fewer than 6 failures and 1/6 s after the
 * previous one, so that a WeChat answering errors (a wrong key, an empty balance for every
 * refund) is not hammered. A success lets the window empty and the calls go free again.
 */
export const withFailureCeiling = (
  gateway: RefundGateway,
  { perSecond = 6, now = () => performance.now(), sleep = realSleep }: FailureCeilingOptions = {},
): RefundGateway & { waiting: () => number } => {
  const interval = 1000 / perSecond;
  /** When each failing call of the last second ended, oldest first. */
  let failures: number[] = [];
  let nextSlot = -Infinity;
  let waiting = 0;

  const admit = async (): Promise<void> => {
    const at = now();
    failures = failures.filter((time) => time > at - 1000);
    if (failures.length < perSecond) return;
    const roomAt = (failures[failures.length - perSecond] ?? at) + 1000;
    const slot = Math.max(at, nextSlot, roomAt);
    nextSlot = slot + interval;
    if (slot <= at) return;
    waiting += 1;
    try {
      await sleep(slot - at);
    } finally {
      waiting -= 1;
    }
  };

  const call = async <T extends RefundOutcome | RefundQueryOutcome>(
    operation: () => Promise<T>,
  ): Promise<T> => {
    await admit();
    let outcome: T | undefined;
    try {
      outcome = await operation();
      return outcome;
    } finally {
      if (outcome === undefined || failed(outcome)) failures.push(now());
    }
  };

  return {
    refund: (request) => call(() => gateway.refund(request)),
    queryRefund: (outRefundNo) => call(() => gateway.queryRefund(outRefundNo)),
    waiting: () => waiting,
  };
};
