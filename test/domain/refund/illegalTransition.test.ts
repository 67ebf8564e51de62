import { describe, expect, it } from 'vitest';
import {
  evolve,
  illegalTransition,
  initialRefund,
  type RefundEvent,
} from '../../../src/domain/index.js';
import { refundFailed, refundRequested } from './refundFixtures.js';

const failedAtRequest = [refundRequested(), refundFailed('request', 'NOTENOUGH')].reduce(
  evolve,
  initialRefund,
);

const retried = (overrides: Parameters<typeof refundRequested>[0]): RefundEvent =>
  refundRequested({ attempt: 2, ...overrides });

describe('the transitions a log may hold (what the audit checks)', () => {
  it('given a request-stage failure, when the retry draws from another funds account, then it is legal', () => {
    expect(
      illegalTransition(
        failedAtRequest,
        retried({ refundAccount: 'REFUND_SOURCE_RECHARGE_FUNDS' }),
      ),
    ).toBeUndefined();
  });

  it.each([
    ['another amount', { refundFee: 1000 }],
    ['another reason', { reason: 'other' }],
    ['another order', { outTradeNo: 'T2' }],
  ])(
    'given a request-stage failure, when the retry states %s, then the terms changed',
    (_, change) => {
      expect(illegalTransition(failedAtRequest, retried(change))).toBe(
        'a retry changed the terms of the refund',
      );
    },
  );
});
