import { randomInt } from 'node:crypto';
import type { SandboxLedger, SandboxRefund } from './sandboxLedger.js';
import type { SandboxNotifier } from './sandboxNotifier.js';
import { resultFail } from './sandboxProtocol.js';
import { parseSandboxRefundRequest } from './sandboxRefundRequest.js';
import { scenarioInDescription, settledStatusOf, type SandboxScenario } from './sandboxScenario.js';

export type MerchantPlatformRefund = {
  outTradeNo: string;
  transactionId?: string;
  totalFee: number;
  refundFee: number;
  notifyUrl: string;
};

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
 * What happens to a refund after WeChat's checks: the scenario's request-stage behaviour, the
 * ledger's rules, then settlement and the notification(s) the scenario calls for.
 */
export const createSandboxRefundFlow = ({
  ledger,
  notifier,
  scenarios,
  notificationDelayMs,
}: SandboxRefundFlowOptions) => {
  // out_refund_nos whose scenario has already failed its first request (NOTENOUGH, SYSTEMERROR).
  const failedOnce = new Set<string>();

  const settleAndNotify = async (refund: SandboxRefund): Promise<void> => {
    const settled = ledger.settle(refund.outRefundNo, settledStatusOf(refund.scenario));
    if (!settled) return;
    if (refund.scenario === 'LOST_NOTIFICATION') return;
    await notifier.notify(settled);
    if (refund.scenario === 'DUPLICATE_NOTIFICATIONS') {
      // After the (retried) delivery, the same notification again: first in turn, then at once.
      await notifier.duplicate(settled);
      await Promise.all([1, 2, 3].map(() => notifier.duplicate(settled)));
    }
  };

  const acceptedFields = (refund: SandboxRefund): Record<string, string> => ({
    result_code: 'SUCCESS',
    transaction_id: refund.transactionId,
    out_trade_no: refund.outTradeNo,
    out_refund_no: refund.outRefundNo,
    refund_id: refund.refundId,
    refund_channel: 'ORIGINAL',
    refund_fee: String(refund.refundFee),
    settlement_refund_fee: String(refund.refundFee),
    total_fee: String(refund.totalFee),
    settlement_total_fee: String(refund.totalFee),
    fee_type: 'CNY',
    cash_fee: String(refund.totalFee),
    cash_refund_fee: String(refund.refundFee),
  });

  /** Result fields for a verified secapi/pay/refund request. */
  const refund = async (fields: Record<string, string>): Promise<Record<string, string>> => {
    const parsed = parseSandboxRefundRequest(fields);
    if (!parsed.ok) return resultFail('PARAM_ERROR', parsed.problem);
    const request = parsed.request;
    ledger.countCall(request.out_refund_no);
    const named = scenarioInDescription(request.refund_desc);
    if (named === 'invalid') {
      return resultFail('PARAM_ERROR', 'refund_desc names an unknown [sandbox:…] scenario');
    }
    const known = ledger.query({ outRefundNo: request.out_refund_no })[0];
    const scenario = known?.scenario ?? scenarios.get(request.out_refund_no) ?? named ?? 'SUCCESS';
    if (
      known === undefined &&
      (scenario === 'NOTENOUGH' || scenario === 'SYSTEMERROR') &&
      !failedOnce.has(request.out_refund_no)
    ) {
      // The first request fails; the merchant tops up (or waits) and retries the same refund.
      failedOnce.add(request.out_refund_no);
      return scenario === 'NOTENOUGH'
        ? resultFail('NOTENOUGH', '基本账户余额不足，请充值后重新发起')
        : resultFail('SYSTEMERROR', '系统超时，请使用相同参数再次调用');
    }
    const answer = ledger.apply({
      outRefundNo: request.out_refund_no,
      ...(request.out_trade_no !== undefined && { outTradeNo: request.out_trade_no }),
      ...(request.transaction_id !== undefined && { transactionId: request.transaction_id }),
      totalFee: request.total_fee,
      refundFee: request.refund_fee,
      scenario,
      source: 'API',
      ...(request.notify_url !== undefined && { notifyUrl: request.notify_url }),
    });
    if (answer.kind === 'refused') return resultFail(answer.errCode, answer.errCodeDes);
    if (answer.isNew) {
      if (scenario === 'NOTIFY_FIRST') {
        // The notification is delivered (and answered) before the synchronous answer leaves.
        await settleAndNotify(answer.refund);
      } else {
        notifier.after(notificationDelayMs, () => void settleAndNotify(answer.refund));
      }
    }
    return acceptedFields(answer.refund);
  };

  /**
   * A refund made by hand on the merchant platform: never requested through the API, WeChat
   * only tells the merchant by a SUCCESS notification with refund_request_source VENDOR_PLATFORM.
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
      notifyUrl: input.notifyUrl,
    });
    if (answer.kind === 'refused') throw new SandboxRefusal(answer.errCode, answer.errCodeDes);
    await settleAndNotify(answer.refund);
    return ledger.query({ outRefundNo: answer.refund.outRefundNo })[0] ?? answer.refund;
  };

  return { refund, merchantPlatformRefund };
};
