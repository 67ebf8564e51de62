import { backoffDelay } from './backoff.js';
import { gatewayRequestOf, type GatewayRequest } from './gatewayRequest.js';
import type { Log } from './ports/log.js';
import type { Reactor } from './reactor.js';
import type { sendRefund } from './sendRefund.js';

export type GatewayReactorDeps = {
  send: ReturnType<typeof sendRefund>;
  log: Log;
  random: () => number;
  retryBaseMs: number;
  retryMaxMs?: number;
  /** The longest a refund is held back before it is sent (WeChat's spacing of an order's). */
  longestWaitMs?: number;
};

/**
 * Sends each RefundRequested to WeChat and records the answer. Sending again is harmless: WeChat
 * refunds an out_refund_no at most once and answers a repeat alike, and sendRefund reads the
 * refund first and skips an attempt already answered. A non-answer (SYSTEMERROR, a timeout, a
 * bad sign) is tried again with the same parameters, backing off up to retryMaxMs, for as long
 * as it takes (the reconciler also finds a refund left REQUESTED).
 */
export const gatewayReactor = ({
  send,
  log,
  random,
  retryBaseMs,
  retryMaxMs = 5 * 60_000,
  longestWaitMs = 0,
}: GatewayReactorDeps): Reactor<GatewayRequest> => ({
  name: 'gateway',
  longestWaitMs,
  decide: gatewayRequestOf,
  act: async ({ request: { outRefundNo, attempt }, context }, { retryCount }) => {
    const result = await send(outRefundNo, attempt, context);
    // Held back by WeChat's spacing of an order's refunds: not a failure, and no slot is held.
    if (result.kind === 'paced') return { kind: 'later', delayMs: result.waitMs };
    if (result.kind !== 'retry') return { kind: 'done' };
    log.warn(
      { outRefundNo, attempt, code: result.code, correlationId: context.correlationId, retryCount },
      'WeChat Pay gave no answer; will retry',
    );
    return { kind: 'retry', reason: `${result.code}: ${result.message}` };
  },
  retryDelay: (retryCount) =>
    backoffDelay(retryCount, { baseMs: retryBaseMs, maxMs: retryMaxMs, random }),
});
