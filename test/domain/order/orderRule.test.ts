import { describe, expect, it } from 'vitest';
import { assertOrderAllows, OrderRuleViolation } from '../../../src/domain/index.js';
import { terms } from '../refund/refundFixtures.js';

const order = { totalFee: 3960, refundedFee: 1000, pendingFee: 970, refunds: [] };

describe('the order rule for a new refund', () => {
  it('given an order with no refund yet, then any refund its terms allow is taken', () => {
    expect(() => assertOrderAllows(undefined, terms)).not.toThrow();
  });

  it('given refunded plus pending plus the new refund up to the total, then it is taken', () => {
    expect(() => assertOrderAllows(order, { ...terms, refundFee: 1990 })).not.toThrow();
  });

  it('given one fen more than the order has left, then REFUND_EXCEEDS_ORDER saying what is left', () => {
    expect(() => assertOrderAllows(order, { ...terms, refundFee: 1991 })).toThrowError(
      expect.objectContaining({
        name: OrderRuleViolation.name,
        code: 'REFUND_EXCEEDS_ORDER',
        message: expect.stringContaining('1990 fen left'),
      }),
    );
  });

  it('given 50 refunds that did not fail at request, then TOO_MANY_REFUNDS; those that failed at request leave their place', () => {
    const small = { ...terms, totalFee: 100_000, refundFee: 1 };
    const refunds = (
      n: number,
      refund: { status: 'FAILED' | 'SUCCEEDED'; stage?: 'request' | 'settlement' },
    ) => Array.from({ length: n }, () => refund);
    const orderOf = (listed: ReturnType<typeof refunds>) => ({
      totalFee: 100_000,
      refundedFee: 0,
      pendingFee: 0,
      refunds: listed,
    });
    const full = orderOf([
      ...refunds(49, { status: 'SUCCEEDED' }),
      ...refunds(1, { status: 'FAILED', stage: 'settlement' }),
    ]);
    expect(() => assertOrderAllows(full, small)).toThrowError(
      expect.objectContaining({
        code: 'TOO_MANY_REFUNDS',
        message: expect.stringContaining('50 refunds'),
      }),
    );
    const withRoom = orderOf([
      ...refunds(49, { status: 'SUCCEEDED' }),
      ...refunds(5, { status: 'FAILED', stage: 'request' }),
    ]);
    expect(() => assertOrderAllows(withRoom, small)).not.toThrow();
  });

  it('given another totalFee than the order’s, then TOTAL_FEE_MISMATCH, checked before the amount', () => {
    expect(() =>
      assertOrderAllows(order, { ...terms, totalFee: 100_000, refundFee: 100_000 }),
    ).toThrowError(expect.objectContaining({ code: 'TOTAL_FEE_MISMATCH' }));
  });
});
