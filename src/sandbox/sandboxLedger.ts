import { randomInt } from 'node:crypto';
import type { SandboxCalls } from './sandboxCalls.js';
import {
  type ListedSandboxRefund,
  type SandboxApi,
  type SandboxRefund,
  type SandboxRefundStatus,
} from './sandboxRefund.js';
import type { SandboxScenario } from './sandboxScenario.js';

export type RefundApplication = {
  outRefundNo: string;
  outTradeNo?: string;
  transactionId?: string;
  totalFee: number;
  refundFee: number;
  scenario: SandboxScenario;
  source: SandboxRefund['source'];
  api: SandboxApi;
  fundsAccount?: string;
  notifyUrl?: string;
};

export type LedgerAnswer =
  | { kind: 'accepted'; refund: SandboxRefund; isNew: boolean }
  | { kind: 'refused'; errCode: string; errCodeDes: string };

type Order = { outTradeNo: string; transactionId: string; totalFee: number };

const digits = (count: number): string =>
  Array.from({ length: count }, () => String(randomInt(10))).join('');

/** WeChat ids are long digit strings: transaction ids have 28 digits, refund ids 29 or more. */
const newTransactionId = (): string => `4200${digits(24)}`;
const newRefundId = (): string => `50000${digits(25)}`;

// WECHAT.md "Limits".
const maxRefundsPerOrder = 50;

/** `yyyy-MM-dd HH:mm:ss` in China time (UTC+8), as WeChat writes times. */
export const chinaTimeOf = (date: Date): string =>
  new Date(date.getTime() + 8 * 3600 * 1000).toISOString().slice(0, 19).replace('T', ' ');

/**
 * The refunds and orders the sandbox knows, with WeChat's rules for accepting a refund. The
 * sandbox takes no payments, so the first refund of an order creates the order and fixes its
 * total_fee and transaction_id.
 */
export const createSandboxLedger = ({ now, calls }: { now: () => Date; calls: SandboxCalls }) => {
  const orders = new Map<string, Order>();
  const orderByTransactionId = new Map<string, Order>();
  const refunds = new Map<string, SandboxRefund>();
  /** out_refund_no of each order's refunds, so that checking an order does not scan them all. */
  const refundNosByOrder = new Map<string, string[]>();

  const refused = (errCode: string, errCodeDes: string): LedgerAnswer => ({
    kind: 'refused',
    errCode,
    errCodeDes,
  });

  // transaction_id wins over out_trade_no when both are sent (WECHAT.md).
  const findOrder = (application: RefundApplication): Order | undefined =>
    application.transactionId !== undefined
      ? orderByTransactionId.get(application.transactionId)
      : orders.get(application.outTradeNo ?? '');

  const refundsOf = (order: Order): SandboxRefund[] =>
    (refundNosByOrder.get(order.outTradeNo) ?? []).flatMap((no) => refunds.get(no) ?? []);

  const apply = (application: RefundApplication): LedgerAnswer => {
    const order = findOrder(application);
    const existing = refunds.get(application.outRefundNo);
    if (existing) {
      // The same out_refund_no is refunded at most once; a repeat must carry the same amounts.
      if (order?.outTradeNo !== existing.outTradeNo) {
        return refused('INVALID_REQUEST', 'out_refund_no already used for another order');
      }
      if (
        existing.totalFee !== application.totalFee ||
        existing.refundFee !== application.refundFee
      ) {
        return refused('REFUND_FEE_MISMATCH', '订单金额或退款金额与之前请求不一致，请核实后再试');
      }
      return { kind: 'accepted', refund: existing, isNew: false };
    }
    if (order && order.totalFee !== application.totalFee) {
      return refused('PARAM_ERROR', 'total_fee differs from the order total of earlier refunds');
    }
    if (order && refundsOf(order).length >= maxRefundsPerOrder) {
      return refused('INVALID_REQUEST', 'an order can have at most 50 refunds');
    }
    const committed = order
      ? refundsOf(order)
          .filter((refund) => refund.status !== 'REFUNDCLOSE')
          .reduce((sum, refund) => sum + refund.refundFee, 0)
      : 0;
    if (committed + application.refundFee > application.totalFee) {
      return refused(
        'INVALID_REQUEST',
        '退款金额大于支付金额 (refunds would exceed the order total)',
      );
    }
    const theOrder = order ?? {
      outTradeNo: application.outTradeNo ?? `SANDBOX${digits(20)}`,
      transactionId: application.transactionId ?? newTransactionId(),
      totalFee: application.totalFee,
    };
    orders.set(theOrder.outTradeNo, theOrder);
    orderByTransactionId.set(theOrder.transactionId, theOrder);
    const refund: SandboxRefund = {
      outRefundNo: application.outRefundNo,
      outTradeNo: theOrder.outTradeNo,
      transactionId: theOrder.transactionId,
      totalFee: application.totalFee,
      refundFee: application.refundFee,
      refundId: newRefundId(),
      status: 'PROCESSING',
      scenario: application.scenario,
      source: application.source,
      api: application.api,
      ...(application.fundsAccount !== undefined && { fundsAccount: application.fundsAccount }),
      ...(application.notifyUrl !== undefined && { notifyUrl: application.notifyUrl }),
      createdAt: now().toISOString(),
    };
    refunds.set(refund.outRefundNo, refund);
    refundNosByOrder.set(refund.outTradeNo, [
      ...(refundNosByOrder.get(refund.outTradeNo) ?? []),
      refund.outRefundNo,
    ]);
    return { kind: 'accepted', refund, isNew: true };
  };

  /** Moves a PROCESSING refund to its final status; returns the settled refund. */
  const settle = (
    outRefundNo: string,
    status: Exclude<SandboxRefundStatus, 'PROCESSING'>,
  ): SandboxRefund | undefined => {
    const refund = refunds.get(outRefundNo);
    if (!refund || refund.status !== 'PROCESSING') return refund;
    const settled: SandboxRefund = {
      ...refund,
      status,
      ...(status === 'SUCCESS' && { successTime: chinaTimeOf(now()) }),
    };
    refunds.set(outRefundNo, settled);
    return settled;
  };

  /**
   * An abnormal refund (CHANGE, v3 ABNORMAL) that the merchant resolved on the merchant platform
   * or with the apply-abnormal-refund API: it succeeds after all (WECHAT-V3.md §2).
   */
  const resolveAbnormal = (outRefundNo: string): SandboxRefund | undefined => {
    const refund = refunds.get(outRefundNo);
    if (!refund || refund.status !== 'CHANGE') return undefined;
    const resolved: SandboxRefund = {
      ...refund,
      status: 'SUCCESS',
      successTime: chinaTimeOf(now()),
    };
    refunds.set(outRefundNo, resolved);
    return resolved;
  };

  /** Refunds matching a refundquery, by its key priority refund_id > out_refund_no > … */
  const query = (key: {
    refundId?: string;
    outRefundNo?: string;
    transactionId?: string;
    outTradeNo?: string;
  }): SandboxRefund[] => {
    const all = (): SandboxRefund[] => [...refunds.values()];
    if (key.refundId !== undefined) return all().filter((r) => r.refundId === key.refundId);
    if (key.outRefundNo !== undefined) {
      // Refunds are kept by out_refund_no: a mass refund's queries must not scan them all.
      const refund = refunds.get(key.outRefundNo);
      return refund ? [refund] : [];
    }
    if (key.transactionId !== undefined) {
      return all().filter((r) => r.transactionId === key.transactionId);
    }
    return all().filter((r) => r.outTradeNo === key.outTradeNo);
  };

  return {
    apply,
    settle,
    resolveAbnormal,
    query,
    /** Counts a refund or query call; false: beyond the rate limit (sandboxCalls.ts). */
    admitCall: calls.admit,
    all: (): ListedSandboxRefund[] =>
      [...refunds.values()].map((refund) => ({
        ...refund,
        calls: calls.of('refund', refund.outRefundNo),
        queries: calls.of('query', refund.outRefundNo),
      })),
  };
};

export type SandboxLedger = ReturnType<typeof createSandboxLedger>;
