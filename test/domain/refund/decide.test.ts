import { describe, it } from 'vitest';
import { decide, evolve, initialRefund } from '../../../src/domain/index.js';
import { deciderSpecification } from '../../support/deciderSpecification.js';
import {
  acceptRefund,
  at,
  failRefund,
  later,
  markSucceeded,
  notifiedOrder,
  refundAccepted,
  refundFailed,
  refundId,
  refundRequested,
  refundSucceeded,
  requestRefund,
  retryRefund,
  terms,
} from './refundFixtures.js';

const spec = deciderSpecification({ decide, evolve, initialState: initialRefund });

describe('RequestRefund', () => {
  it('given no refund, when requested, then RefundRequested as attempt 1 from the api', () =>
    spec.given([]).when(requestRefund()).then([refundRequested()]));

  it('given no refund, when requested without the optional fields, then the event has none of them', () =>
    spec
      .given([])
      .when({
        type: 'RequestRefund',
        data: {
          outRefundNo: 'R1',
          outTradeNo: 'T1',
          totalFee: 100,
          refundFee: 100,
          requestedAt: at,
        },
      })
      .then([
        {
          type: 'RefundRequested',
          data: {
            outRefundNo: 'R1',
            outTradeNo: 'T1',
            totalFee: 100,
            refundFee: 100,
            requestedAt: at,
            attempt: 1,
            origin: 'api',
          },
        },
      ]));

  it('given a requested refund, when the identical request repeats, then nothing happens', () =>
    spec
      .given([refundRequested()])
      .when(requestRefund({ requestedAt: later }))
      .thenNothingHappens());

  it('given a succeeded refund, when the identical request repeats, then nothing happens', () =>
    spec
      .given([refundRequested(), refundAccepted(), refundSucceeded()])
      .when(requestRefund())
      .thenNothingHappens());

  it('given a requested refund, when requested with another amount, then REFUND_NO_CONFLICT', () =>
    spec
      .given([refundRequested()])
      .when(requestRefund({ refundFee: 1000 }))
      .thenRejects('REFUND_NO_CONFLICT'));

  it('given a requested refund, when requested with another reason, then REFUND_NO_CONFLICT', () =>
    spec
      .given([refundRequested()])
      .when(requestRefund({ reason: 'other' }))
      .thenRejects('REFUND_NO_CONFLICT'));

  it('given a requested refund, when requested for another order, then REFUND_NO_CONFLICT', () =>
    spec
      .given([refundRequested()])
      .when(requestRefund({ outTradeNo: 'T2' }))
      .thenRejects('REFUND_NO_CONFLICT'));

  it('given a refund drawn from the recharge funds, when the identical request repeats, then nothing happens; naming other funds or none, REFUND_NO_CONFLICT', () => {
    const recharge = { refundAccount: 'REFUND_SOURCE_RECHARGE_FUNDS' } as const;
    spec
      .given([refundRequested(recharge)])
      .when(requestRefund(recharge))
      .thenNothingHappens();
    spec
      .given([refundRequested(recharge)])
      .when(requestRefund())
      .thenRejects('REFUND_NO_CONFLICT');
    spec
      .given([refundRequested(recharge)])
      .when(requestRefund({ refundAccount: 'REFUND_SOURCE_UNSETTLED_FUNDS' }))
      .thenRejects('REFUND_NO_CONFLICT');
  });

  it('given a refund retried from other funds, when the first request repeats, then nothing happens (identical compares the first request)', () =>
    spec
      .given([
        refundRequested(),
        refundFailed('request', 'NOTENOUGH'),
        refundRequested({ attempt: 2, refundAccount: 'REFUND_SOURCE_RECHARGE_FUNDS' }),
      ])
      .when(requestRefund())
      .thenNothingHappens());

  it('given no refund, when refundFee exceeds totalFee, then INVALID_REFUND_TERMS', () =>
    spec
      .given([])
      .when(requestRefund({ refundFee: terms.totalFee + 1 }))
      .thenRejects('INVALID_REFUND_TERMS'));

  it.each([0, -1, 19.9, Number.NaN, 2 ** 53])(
    'given no refund, when an amount is %s, then INVALID_REFUND_TERMS',
    (amount) =>
      spec
        .given([])
        .when(requestRefund({ refundFee: amount }))
        .thenRejects('INVALID_REFUND_TERMS'),
  );
});

describe('AcceptRefund', () => {
  it('given no refund, when accepted, then REFUND_NOT_FOUND', () =>
    spec.given([]).when(acceptRefund()).thenRejects('REFUND_NOT_FOUND'));

  it('given a requested refund, when WeChat accepts it, then RefundAccepted', () =>
    spec.given([refundRequested()]).when(acceptRefund()).then([refundAccepted()]));

  it('given a requested refund, when accepted for another amount, then REFUND_AMOUNT_MISMATCH', () =>
    spec
      .given([refundRequested()])
      .when(acceptRefund({ refundFee: 1 }))
      .thenRejects('REFUND_AMOUNT_MISMATCH'));

  it('given an accepted refund, when the acceptance repeats, then nothing happens', () =>
    spec.given([refundRequested(), refundAccepted()]).when(acceptRefund()).thenNothingHappens());

  it('given an accepted refund, when accepted with another refund id, then REFUND_ID_MISMATCH', () =>
    spec
      .given([refundRequested(), refundAccepted()])
      .when(acceptRefund({ refundId: '50000000000000000000000000001' }))
      .thenRejects('REFUND_ID_MISMATCH'));

  it('given an accepted refund, when an acceptance reports another amount, then REFUND_AMOUNT_MISMATCH', () =>
    spec
      .given([refundRequested(), refundAccepted()])
      .when(acceptRefund({ refundFee: 1000 }))
      .thenRejects('REFUND_AMOUNT_MISMATCH'));

  it('given a refund that succeeded before the synchronous answer, when accepted, then nothing happens', () =>
    spec.given([refundRequested(), refundSucceeded()]).when(acceptRefund()).thenNothingHappens());

  it('given a refund closed before the synchronous answer, when accepted, then nothing happens', () =>
    spec
      .given([refundRequested(), refundFailed('settlement', 'REFUNDCLOSE')])
      .when(acceptRefund())
      .thenNothingHappens());

  it('given a refund that failed at request, when accepted, then REFUND_ALREADY_FAILED', () =>
    spec
      .given([refundRequested(), refundFailed('request', 'NOTENOUGH')])
      .when(acceptRefund())
      .thenRejects('REFUND_ALREADY_FAILED'));
});

describe('MarkRefundSucceeded', () => {
  it('given an accepted refund, when WeChat reports SUCCESS, then RefundSucceeded', () =>
    spec
      .given([refundRequested(), refundAccepted()])
      .when(markSucceeded())
      .then([refundSucceeded()]));

  it('given a requested refund, when SUCCESS arrives before the acceptance, then RefundSucceeded', () =>
    spec.given([refundRequested()]).when(markSucceeded()).then([refundSucceeded()]));

  it('given a succeeded refund, when SUCCESS repeats, then nothing happens', () =>
    spec
      .given([refundRequested(), refundAccepted(), refundSucceeded()])
      .when(markSucceeded({ recordedAt: '2026-11-29T00:00:00.000Z' }))
      .thenNothingHappens());

  it('given a succeeded refund, when SUCCESS names another refund id, then REFUND_ID_MISMATCH', () =>
    spec
      .given([refundRequested(), refundSucceeded()])
      .when(markSucceeded({ refundId: '50000000000000000000000000001' }))
      .thenRejects('REFUND_ID_MISMATCH'));

  it('given an accepted refund, when SUCCESS names another refund id, then REFUND_ID_MISMATCH', () =>
    spec
      .given([refundRequested(), refundAccepted()])
      .when(markSucceeded({ refundId: '50000000000000000000000000001' }))
      .thenRejects('REFUND_ID_MISMATCH'));

  it('given an accepted refund, when SUCCESS reports another amount, then REFUND_AMOUNT_MISMATCH', () =>
    spec
      .given([refundRequested(), refundAccepted()])
      .when(markSucceeded({ refundFee: 1 }))
      .thenRejects('REFUND_AMOUNT_MISMATCH'));

  it('given a refund that failed at request, when SUCCESS arrives, then RefundSucceeded (money moved)', () =>
    spec
      .given([refundRequested(), refundFailed('request', 'NOTENOUGH')])
      .when(markSucceeded())
      .then([refundSucceeded()]));

  it('given a refund that failed at settlement, when SUCCESS arrives, then RefundSucceeded (money moved)', () =>
    spec
      .given([refundRequested(), refundAccepted(), refundFailed('settlement', 'CHANGE')])
      .when(markSucceeded())
      .then([refundSucceeded()]));

  it('given no refund, when SUCCESS arrives for a merchant-platform refund, then it is requested with origin wechat and succeeds', () =>
    spec
      .given([])
      .when(markSucceeded({ refundRequestSource: 'VENDOR_PLATFORM', order: notifiedOrder }))
      .then([
        {
          type: 'RefundRequested',
          data: {
            outRefundNo: 'R1',
            outTradeNo: 'T9',
            transactionId: notifiedOrder.transactionId,
            totalFee: 5000,
            refundFee: 1990,
            requestedAt: later,
            attempt: 1,
            origin: 'wechat',
          },
        },
        refundSucceeded({ refundRequestSource: 'VENDOR_PLATFORM', outTradeNo: 'T9' }),
      ]));

  it('given no refund, when SUCCESS arrives without the order, then REFUND_NOT_FOUND', () =>
    spec.given([]).when(markSucceeded()).thenRejects('REFUND_NOT_FOUND'));
});

describe('FailRefund', () => {
  it('given a requested refund, when WeChat refuses it (NOTENOUGH), then RefundFailed at request', () =>
    spec
      .given([refundRequested()])
      .when(failRefund('request', 'NOTENOUGH'))
      .then([refundFailed('request', 'NOTENOUGH')]));

  it('given a requested refund, when REFUNDCLOSE arrives before the acceptance, then RefundFailed at settlement', () =>
    spec
      .given([refundRequested()])
      .when(failRefund('settlement', 'REFUNDCLOSE'))
      .then([refundFailed('settlement', 'REFUNDCLOSE')]));

  it.each(['REFUNDCLOSE', 'CHANGE'])(
    'given an accepted refund, when %s arrives, then RefundFailed at settlement with that code',
    (code) =>
      spec
        .given([refundRequested(), refundAccepted()])
        .when(failRefund('settlement', code))
        .then([refundFailed('settlement', code)]),
  );

  it.each(['REFUNDCLOSE', 'CLOSED', 'ABNORMAL'])(
    'given an accepted refund, when %s arrives with its refund id and amount, then RefundFailed at settlement',
    (code) =>
      spec
        .given([refundRequested(), refundAccepted()])
        .when(failRefund('settlement', code, { refundId, refundFee: 1990 }))
        .then([refundFailed('settlement', code, { refundId })]),
  );

  it('given an accepted refund, when a settlement failure names another refund id, then REFUND_ID_MISMATCH', () =>
    spec
      .given([refundRequested(), refundAccepted()])
      .when(failRefund('settlement', 'REFUNDCLOSE', { refundId: '50000000000000000000000000001' }))
      .thenRejects('REFUND_ID_MISMATCH'));

  it.each([
    ['an accepted', [refundRequested(), refundAccepted()]],
    ['a requested', [refundRequested()]],
  ])(
    'given %s refund, when a settlement failure reports another amount, then REFUND_AMOUNT_MISMATCH',
    (_state, history) =>
      spec
        .given(history)
        .when(failRefund('settlement', 'REFUNDCLOSE', { refundId, refundFee: 1000 }))
        .thenRejects('REFUND_AMOUNT_MISMATCH'),
  );

  it('given an accepted refund, when a failure repeats with another amount, then REFUND_AMOUNT_MISMATCH', () =>
    spec
      .given([refundRequested(), refundAccepted(), refundFailed('settlement', 'CHANGE')])
      .when(failRefund('settlement', 'CHANGE', { refundId, refundFee: 1 }))
      .thenRejects('REFUND_AMOUNT_MISMATCH'));

  it('given an accepted refund, when a request failure arrives, then REFUND_ALREADY_ACCEPTED', () =>
    spec
      .given([refundRequested(), refundAccepted()])
      .when(failRefund('request', 'NOTENOUGH'))
      .thenRejects('REFUND_ALREADY_ACCEPTED'));

  it('given a failed refund, when the same failure repeats, then nothing happens', () =>
    spec
      .given([refundRequested(), refundAccepted(), refundFailed('settlement', 'CHANGE')])
      .when(failRefund('settlement', 'CHANGE'))
      .thenNothingHappens());

  it('given a failed refund, when a different failure arrives, then REFUND_ALREADY_FAILED', () =>
    spec
      .given([refundRequested(), refundAccepted(), refundFailed('settlement', 'CHANGE')])
      .when(failRefund('settlement', 'REFUNDCLOSE'))
      .thenRejects('REFUND_ALREADY_FAILED'));

  it('given a succeeded refund, when REFUNDCLOSE arrives, then REFUND_ALREADY_SUCCEEDED', () =>
    spec
      .given([refundRequested(), refundAccepted(), refundSucceeded()])
      .when(failRefund('settlement', 'REFUNDCLOSE'))
      .thenRejects('REFUND_ALREADY_SUCCEEDED'));

  it('given no refund, when a settlement failure arrives with its order, then it is recorded with origin wechat', () =>
    spec
      .given([])
      .when(failRefund('settlement', 'REFUNDCLOSE', { refundFee: 700, order: notifiedOrder }))
      .then([
        {
          type: 'RefundRequested',
          data: {
            outRefundNo: 'R1',
            outTradeNo: 'T9',
            transactionId: notifiedOrder.transactionId,
            totalFee: 5000,
            refundFee: 700,
            requestedAt: later,
            attempt: 1,
            origin: 'wechat',
          },
        },
        refundFailed('settlement', 'REFUNDCLOSE', { outTradeNo: 'T9' }),
      ]));

  it('given no refund, when a request failure arrives, then REFUND_NOT_FOUND', () =>
    spec.given([]).when(failRefund('request', 'NOTENOUGH')).thenRejects('REFUND_NOT_FOUND'));
});

describe('RetryRefund', () => {
  it('given a refund that failed at request, when retried, then RefundRequested as attempt 2 with the same terms', () =>
    spec
      .given([refundRequested(), refundFailed('request', 'NOTENOUGH')])
      .when(retryRefund())
      .then([refundRequested({ attempt: 2, requestedAt: later })]));

  it('given a refund that failed at request twice, when retried, then attempt 3', () =>
    spec
      .given([
        refundRequested(),
        refundFailed('request', 'NOTENOUGH'),
        refundRequested({ attempt: 2 }),
        refundFailed('request', 'NOTENOUGH'),
      ])
      .when(retryRefund())
      .then([refundRequested({ attempt: 3, requestedAt: later })]));

  it('given a refund that failed at request, when retried from the recharge funds, then that attempt names them; a later retry naming none draws from the refund’s own again', () =>
    spec
      .given([
        refundRequested(),
        refundFailed('request', 'NOTENOUGH'),
        refundRequested({ attempt: 2, refundAccount: 'REFUND_SOURCE_RECHARGE_FUNDS' }),
        refundFailed('request', 'NOTENOUGH'),
      ])
      .when(retryRefund())
      .then([refundRequested({ attempt: 3, requestedAt: later })]));

  it('given a refund drawn from the recharge funds, when retried naming the unsettled funds, then that attempt names them', () =>
    spec
      .given([
        refundRequested({ refundAccount: 'REFUND_SOURCE_RECHARGE_FUNDS' }),
        refundFailed('request', 'NOTENOUGH'),
      ])
      .when(retryRefund(later, { refundAccount: 'REFUND_SOURCE_UNSETTLED_FUNDS' }))
      .then([
        refundRequested({
          attempt: 2,
          requestedAt: later,
          refundAccount: 'REFUND_SOURCE_UNSETTLED_FUNDS',
        }),
      ]));

  it('given a retry that names the attempt it follows, when the refund is already past that attempt, then nothing happens (a policy retry done twice)', () =>
    spec
      .given([
        refundRequested(),
        refundFailed('request', 'NOTENOUGH'),
        refundRequested({ attempt: 2 }),
        refundFailed('request', 'NOTENOUGH'),
      ])
      .when(retryRefund(later, { failedAttempt: 1 }))
      .thenNothingHappens());

  it('given a refund that failed at settlement, when retried, then REFUND_NOT_RETRYABLE', () =>
    spec
      .given([refundRequested(), refundAccepted(), refundFailed('settlement', 'REFUNDCLOSE')])
      .when(retryRefund())
      .thenRejects('REFUND_NOT_RETRYABLE'));

  it.each([
    ['requested', [refundRequested()]],
    ['accepted', [refundRequested(), refundAccepted()]],
    ['succeeded', [refundRequested(), refundAccepted(), refundSucceeded()]],
  ])('given a %s refund, when retried, then REFUND_NOT_RETRYABLE', (_name, history) =>
    spec.given(history).when(retryRefund()).thenRejects('REFUND_NOT_RETRYABLE'),
  );

  it('given no refund, when retried, then REFUND_NOT_FOUND', () =>
    spec.given([]).when(retryRefund()).thenRejects('REFUND_NOT_FOUND'));
});
