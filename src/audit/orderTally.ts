import { addFen, type RefundTerms } from '../domain/index.js';
import type { Anomaly, EventRef } from './anomaly.js';

/** WeChat Pay refunds one order at most 50 times (secapi/pay/refund, "一笔订单最多退款50次"). */
export const maxRefundsPerOrder = 50;

/** What the audit keeps of one order: the sums its invariants are about. */
export type OrderTally = {
  /** The totalFee of the order's first refund. */
  totalFee: number;
  refunds: number;
  /** Sum of the refundFee of its SUCCEEDED refunds, in fen. */
  succeededFee: number;
  /** Each order-wide anomaly is reported once, at the event that first broke the rule. */
  overRefundedReported: boolean;
  tooManyReported: boolean;
};

type Tallied = { tally: OrderTally; anomalies: Anomaly[] };

/** A refund of the order is requested for the first time. */
export const tallyNewRefund = (
  previous: OrderTally | undefined,
  terms: RefundTerms,
  at: EventRef,
): Tallied => {
  const tally: OrderTally = previous
    ? { ...previous, refunds: previous.refunds + 1 }
    : {
        totalFee: terms.totalFee,
        refunds: 1,
        succeededFee: 0,
        overRefundedReported: false,
        tooManyReported: false,
      };
  const anomalies: Anomaly[] = [];
  const order = { outTradeNo: terms.outTradeNo };
  if (terms.totalFee !== tally.totalFee) {
    anomalies.push({
      kind: 'ORDER_TOTAL_FEE_MISMATCH',
      at,
      message: `refund ${terms.outRefundNo} names totalFee ${terms.totalFee} for order ${terms.outTradeNo}, whose earlier refunds name ${tally.totalFee}`,
      details: { ...order, totalFee: tally.totalFee, stated: terms.totalFee },
    });
  }
  if (tally.refunds > maxRefundsPerOrder && !tally.tooManyReported) {
    tally.tooManyReported = true;
    anomalies.push({
      kind: 'ORDER_TOO_MANY_REFUNDS',
      at,
      message: `order ${terms.outTradeNo} has a refund number ${tally.refunds}; WeChat allows ${maxRefundsPerOrder}`,
      details: { ...order, refunds: tally.refunds },
    });
  }
  return { tally, anomalies };
};

/** A refund of the order reached SUCCEEDED: its amount has left the merchant's account. */
export const tallySuccess = (
  previous: OrderTally | undefined,
  terms: RefundTerms,
  at: EventRef,
): Tallied => {
  const base = previous ?? tallyNewRefund(undefined, terms, at).tally;
  const tally = { ...base, succeededFee: addFen(base.succeededFee, terms.refundFee) };
  if (tally.succeededFee <= tally.totalFee || tally.overRefundedReported) {
    return { tally, anomalies: [] };
  }
  tally.overRefundedReported = true;
  return {
    tally,
    anomalies: [
      {
        kind: 'ORDER_OVER_REFUNDED',
        at,
        message: `order ${terms.outTradeNo} has ${tally.succeededFee} fen refunded, more than its total of ${tally.totalFee}`,
        details: {
          outTradeNo: terms.outTradeNo,
          totalFee: tally.totalFee,
          succeededFee: tally.succeededFee,
        },
      },
    ],
  };
};
