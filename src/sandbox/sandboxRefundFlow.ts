import { randomInt } from 'node:crypto';
import type { SandboxLedger } from './sandboxLedger.js';
import { fromRechargeFunds, type SandboxApi, type SandboxRefund } from './sandboxRefund.js';
import type { SandboxNotifier } from './sandboxNotifier.js';
import {
  frequencyLimited,
  requestFailure,
  scenarioInDescription,
  settledStatusOf,
  type SandboxScenario,
} from './sandboxScenario.js';

export type MerchantPlatformRefund = {
  outTradeNo: string;
  transactionId?: string;
  totalFee: number;
  refundFee: number;
  /** Which notification WeChat sends: the API the merchant's notify_url speaks (default v2). */
  api?: SandboxApi;
} & (
  | { notifyUrl: string; notify?: true }
  /** Settled and never notified: the merchant learns of it from the bill alone. */
  | { notifyUrl?: string; notify: false }
);

/** A refund request that passed its API's checks, in the terms both APIs share. */
export type FlowRefundRequest = {
  outRefundNo: string;
  outTradeNo?: string;
  transactionId?: string;
  totalFee: number;
  refundFee: number;
  /** v2's refund_desc, v3's reason: where a `[sandbox:…]` token may be. */
  description?: string;
  fundsAccount?: string;
  notifyUrl?: string;
  api: SandboxApi;
};

/** What WeChat answers, before its API puts it into XML or JSON. Codes are v2's err_code. */
export type FlowAnswer =
  | { kind: 'accepted'; refund: SandboxRefund }
  | { kind: 'refused'; errCode: string; errCodeDes: string };

/** A simulated merchant-platform refund that WeChat's own rules refuse. */
export class SandboxRefusal extends Error {
  override readonly name = 'SandboxRefusal';

  constructor(
    readonly errCode: string,
    message: string,
  ) {
    super(message);
  }
}

export type SandboxRefundFlowOptions = {
  ledger: SandboxLedger;
  notifier: SandboxNotifier;
  /** Scenarios chosen with setScenario or the control endpoint, by out_refund_no. */
  scenarios: ReadonlyMap<string, SandboxScenario>;
  notificationDelayMs: number;
};

/**
 * What happens to a refund after WeChat's checks, whichever API it came through: the scenario's
 * request-stage behaviour, the ledger's rules, then settlement and the notification(s) the
 * scenario calls for.
 */
export const createSandboxRefundFlow = ({
  ledger,
  notifier,
  scenarios,
  notificationDelayMs,
}: SandboxRefundFlowOptions) => {
  // out_refund_nos whose scenario has already failed its first request (NOTENOUGH, SYSTEMERROR…).
  const failedOnce = new Set<string>();

  const notifyAll = async (refund: SandboxRefund): Promise<void> => {
    await notifier.notify(refund);
    if (refund.scenario === 'DUPLICATE_NOTIFICATIONS') {
      // After the (retried) delivery, the same notification again: first in turn, then at once.
      await notifier.duplicate(refund);
      await Promise.all([1, 2, 3].map(() => notifier.duplicate(refund)));
    }
  };

  const settleAndNotify = async (refund: SandboxRefund): Promise<void> => {
    const settled = ledger.settle(refund.outRefundNo, settledStatusOf(refund.scenario));
    if (!settled || refund.scenario === 'LOST_NOTIFICATION') return;
    await notifyAll(settled);
  };

  const refund = async (request: FlowRefundRequest): Promise<FlowAnswer> => {
    if (!ledger.admitCall('refund', request.outRefundNo)) return frequencyLimited;
    const named = scenarioInDescription(request.description);
    if (named === 'invalid') {
      return {
        kind: 'refused',
        errCode: 'PARAM_ERROR',
        errCodeDes: 'the description names an unknown [sandbox:…] scenario',
      };
    }
    const known = ledger.query({ outRefundNo: request.outRefundNo })[0];
    const scenario = known?.scenario ?? scenarios.get(request.outRefundNo) ?? named ?? 'SUCCESS';
    const failure =
      known === undefined
        ? requestFailure(scenario, {
            fromRechargeFunds: fromRechargeFunds(request),
            failedBefore: failedOnce.has(request.outRefundNo),
          })
        : undefined;
    if (failure) {
      failedOnce.add(request.outRefundNo);
      return failure;
    }
    const answer = ledger.apply({
      outRefundNo: request.outRefundNo,
      ...(request.outTradeNo !== undefined && { outTradeNo: request.outTradeNo }),
      ...(request.transactionId !== undefined && { transactionId: request.transactionId }),
      totalFee: request.totalFee,
      refundFee: request.refundFee,
      scenario,
      source: 'API',
      api: request.api,
      ...(request.fundsAccount !== undefined && { fundsAccount: request.fundsAccount }),
      ...(request.notifyUrl !== undefined && { notifyUrl: request.notifyUrl }),
    });
    if (answer.kind === 'refused') return answer;
    if (answer.isNew) {
      if (scenario === 'NOTIFY_FIRST') {
        // The notification is delivered (and answered) before the synchronous answer leaves.
        await settleAndNotify(answer.refund);
      } else {
        notifier.after(notificationDelayMs, () => void settleAndNotify(answer.refund));
      }
      if (scenario === 'FREQUENCY_LIMITED') {
        // Taken, but the caller is told to slow down: it cannot know the refund was accepted.
        failedOnce.add(request.outRefundNo);
        return frequencyLimited;
      }
    }
    return { kind: 'accepted', refund: answer.refund };
  };

  /**
   * A refund made by hand on the merchant platform: never requested through the API, WeChat
   * only tells the merchant by a SUCCESS notification with refund_request_source VENDOR_PLATFORM
   * (or, with `notify: false`, by the bill alone).
   */
  const merchantPlatformRefund = async (input: MerchantPlatformRefund): Promise<SandboxRefund> => {
    const answer = ledger.apply({
      outRefundNo: `${Date.now()}${String(randomInt(1_000_000)).padStart(6, '0')}`,
      outTradeNo: input.outTradeNo,
      ...(input.transactionId !== undefined && { transactionId: input.transactionId }),
      totalFee: input.totalFee,
      refundFee: input.refundFee,
      scenario: 'SUCCESS',
      source: 'VENDOR_PLATFORM',
      api: input.api ?? 'v2',
      ...(input.notifyUrl !== undefined && { notifyUrl: input.notifyUrl }),
    });
    if (answer.kind === 'refused') throw new SandboxRefusal(answer.errCode, answer.errCodeDes);
    if (input.notify === false) ledger.settle(answer.refund.outRefundNo, 'SUCCESS');
    else await settleAndNotify(answer.refund);
    return ledger.query({ outRefundNo: answer.refund.outRefundNo })[0] ?? answer.refund;
  };

  /** The merchant resolves an abnormal refund: it succeeds and WeChat notifies SUCCESS. */
  const resolveAbnormal = async (outRefundNo: string): Promise<SandboxRefund | undefined> => {
    const resolved = ledger.resolveAbnormal(outRefundNo);
    if (resolved) await notifier.notify(resolved);
    return resolved;
  };

  return { refund, merchantPlatformRefund, resolveAbnormal };
};

export type SandboxRefundFlow = ReturnType<typeof createSandboxRefundFlow>;
