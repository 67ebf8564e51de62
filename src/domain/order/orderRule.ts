import { addFen, type Fen } from '../money.js';
import type { FailureStage } from '../refund/refundEvents.js';
import type { RefundStatus } from '../refund/refundState.js';
import type { RefundTerms } from '../refund/refundTerms.js';
import { OrderRuleViolation } from './orderRuleViolation.js';

/** An order as far as its refunds are known (the order ledger): what its rules look at. */
export type OrderSoFar = {
  totalFee: Fen;
  /** Sum of its SUCCEEDED refunds. */
  refundedFee: Fen;
  /** Sum of its REQUESTED and ACCEPTED refunds; FAILED ones count nowhere. */
  pendingFee: Fen;
  /** Its refunds; a FAILED one says at which stage. */
  refunds: readonly { status: RefundStatus; stage?: FailureStage }[];
};

/** WECHAT.md "Limits": at most 50 refunds per order. */
export const maxRefundsPerOrder = 50;

/** One rule a new refund must keep; the violation when it does not. */
type OrderRule = (order: OrderSoFar, terms: RefundTerms) => OrderRuleViolation | undefined;

const sameTotal: OrderRule = (order, terms) =>
  order.totalFee === terms.totalFee
    ? undefined
    : new OrderRuleViolation(
        'TOTAL_FEE_MISMATCH',
        `order ${terms.outTradeNo} has totalFee ${order.totalFee}, not ${terms.totalFee}`,
      );

const withinTotal: OrderRule = (order, terms) => {
  const committed = addFen(order.refundedFee, order.pendingFee);
  if (addFen(committed, terms.refundFee) <= order.totalFee) return undefined;
  return new OrderRuleViolation(
    'REFUND_EXCEEDS_ORDER',
    `order ${terms.outTradeNo} has ${order.totalFee - committed} fen left to refund ` +
      `(${order.refundedFee} refunded, ${order.pendingFee} pending), not ${terms.refundFee}`,
  );
};

/** WeChat never opened a refund that failed at request: only the others count to its limit. */
const withinCount: OrderRule = (order, terms) => {
  const counted = order.refunds.filter(
    (refund) => refund.status !== 'FAILED' || refund.stage !== 'request',
  ).length;
  return counted < maxRefundsPerOrder
    ? undefined
    : new OrderRuleViolation(
        'TOO_MANY_REFUNDS',
        `order ${terms.outTradeNo} already has ${counted} refunds; WeChat allows ${maxRefundsPerOrder}`,
      );
};

/** DESIGN §5's rules for a new refund of an order, in the order its answers are checked. */
const orderRules: readonly OrderRule[] = [sameTotal, withinTotal, withinCount];

/**
 * Refuses a new refund its order cannot take (DESIGN §5, the 422 answers) by throwing
 * OrderRuleViolation. An order with no refund yet (undefined) takes any refund its terms allow.
 */
export const assertOrderAllows = (order: OrderSoFar | undefined, terms: RefundTerms): void => {
  if (!order) return;
  for (const rule of orderRules) {
    const violation = rule(order, terms);
    if (violation) throw violation;
  }
};
