import { assertNever } from '../assertNever.js';
import type {
  AcceptRefund,
  FailRefund,
  MarkRefundSucceeded,
  NotifiedOrder,
  RefundCommand,
  RefundTerms,
  RequestRefund,
  RetryRefund,
} from './refundCommands.js';
import type { RefundEvent, RefundOrigin, RefundRequested } from './refundEvents.js';
import { RefundRuleViolation } from './refundRuleViolation.js';
import type { Refund } from './refundState.js';
import { assertValidTerms, refundTerms, sameTerms } from './refundTerms.js';

type Existing = Exclude<Refund, { status: 'NONE' }>;

export const decide = (command: RefundCommand, state: Refund): RefundEvent[] => {
  switch (command.type) {
    case 'RequestRefund':
      return requestRefund(command, state);
    case 'AcceptRefund':
      return acceptRefund(command, state);
    case 'MarkRefundSucceeded':
      return markSucceeded(command, state);
    case 'FailRefund':
      return failRefund(command, state);
    case 'RetryRefund':
      return retryRefund(command, state);
    default:
      return assertNever(command);
  }
};

const requestRefund = ({ data }: RequestRefund, state: Refund): RefundEvent[] => {
  const terms = refundTerms(data);
  assertValidTerms(terms);
  if (state.status === 'NONE') {
    return [requested(terms, { requestedAt: data.requestedAt, attempt: 1, origin: 'api' })];
  }
  if (sameTerms(state.terms, terms)) return [];
  throw new RefundRuleViolation(
    'REFUND_NO_CONFLICT',
    `refund ${terms.outRefundNo} was already requested with different terms`,
  );
};

const acceptRefund = ({ data }: AcceptRefund, state: Refund): RefundEvent[] => {
  const refund = existing(state, data.outRefundNo);
  switch (refund.status) {
    case 'REQUESTED':
      assertSameAmount(refund, data.refundFee);
      return [{ type: 'RefundAccepted', data: { ...data, outTradeNo: refund.terms.outTradeNo } }];
    case 'ACCEPTED':
    case 'SUCCEEDED':
      // The answer is already reflected (a repeat, or the notification raced the synchronous answer).
      assertSameRefundId(refund, data.refundId);
      return [];
    case 'FAILED':
      if (refund.stage === 'settlement') return [];
      throw new RefundRuleViolation(
        'REFUND_ALREADY_FAILED',
        `refund ${data.outRefundNo} failed at request (${refund.code}); an acceptance contradicts it`,
      );
    default:
      return assertNever(refund);
  }
};

const markSucceeded = ({ data }: MarkRefundSucceeded, state: Refund): RefundEvent[] => {
  const { order, ...succeeded } = data;
  if (state.status === 'NONE' && order) {
    return [
      notifiedRequest(data.outRefundNo, order, data.refundFee, data.recordedAt),
      { type: 'RefundSucceeded', data: { ...succeeded, outTradeNo: order.outTradeNo } },
    ];
  }
  const refund = existing(state, data.outRefundNo);
  assertSameRefundId(refund, data.refundId);
  if (refund.status === 'SUCCEEDED') return [];
  // WeChat's SUCCESS wins over any earlier failure: the money has moved.
  assertSameAmount(refund, data.refundFee);
  return [{ type: 'RefundSucceeded', data: { ...succeeded, outTradeNo: refund.terms.outTradeNo } }];
};

const failRefund = ({ data }: FailRefund, state: Refund): RefundEvent[] => {
  const { order, ...failure } = data;
  if (state.status === 'NONE' && order && data.stage === 'settlement') {
    return [
      notifiedRequest(data.outRefundNo, order, order.refundFee, data.failedAt),
      { type: 'RefundFailed', data: { ...failure, outTradeNo: order.outTradeNo } },
    ];
  }
  const refund = existing(state, data.outRefundNo);
  const failed: RefundEvent = {
    type: 'RefundFailed',
    data: { ...failure, outTradeNo: refund.terms.outTradeNo },
  };
  switch (refund.status) {
    case 'REQUESTED':
      return [failed];
    case 'ACCEPTED':
      if (data.stage === 'settlement') return [failed];
      throw new RefundRuleViolation(
        'REFUND_ALREADY_ACCEPTED',
        `refund ${data.outRefundNo} was accepted by WeChat; a request failure contradicts it`,
      );
    case 'FAILED':
      if (refund.stage === data.stage && refund.code === data.code) return [];
      throw new RefundRuleViolation(
        'REFUND_ALREADY_FAILED',
        `refund ${data.outRefundNo} already failed at ${refund.stage} (${refund.code})`,
      );
    case 'SUCCEEDED':
      throw new RefundRuleViolation(
        'REFUND_ALREADY_SUCCEEDED',
        `refund ${data.outRefundNo} succeeded; a ${data.code} failure contradicts it`,
      );
    default:
      return assertNever(refund);
  }
};

const retryRefund = ({ data }: RetryRefund, state: Refund): RefundEvent[] => {
  const refund = existing(state, data.outRefundNo);
  if (refund.status !== 'FAILED' || refund.stage !== 'request') {
    throw new RefundRuleViolation(
      'REFUND_NOT_RETRYABLE',
      `refund ${data.outRefundNo} is ${refund.status}; only a refund that failed at request can be retried`,
    );
  }
  return [
    requested(refund.terms, {
      requestedAt: data.requestedAt,
      attempt: refund.attempt + 1,
      origin: refund.origin,
    }),
  ];
};

const requested = (
  terms: RefundTerms,
  attempt: { requestedAt: string; attempt: number; origin: RefundOrigin },
): RefundRequested => ({ type: 'RefundRequested', data: { ...terms, ...attempt } });

/** A refund WeChat tells us of that we never asked for: made by hand on the merchant platform. */
const notifiedRequest = (
  outRefundNo: string,
  order: NotifiedOrder,
  refundFee: number,
  at: string,
): RefundRequested => {
  const terms = refundTerms({ outRefundNo, ...order, refundFee });
  assertValidTerms(terms);
  return requested(terms, { requestedAt: at, attempt: 1, origin: 'wechat' });
};

const existing = (state: Refund, outRefundNo: string): Existing => {
  if (state.status === 'NONE') {
    throw new RefundRuleViolation('REFUND_NOT_FOUND', `refund ${outRefundNo} does not exist`);
  }
  return state;
};

const assertSameAmount = (refund: Existing, refundFee: number): void => {
  if (refund.terms.refundFee !== refundFee) {
    throw new RefundRuleViolation(
      'REFUND_AMOUNT_MISMATCH',
      `refund ${refund.terms.outRefundNo} is for ${refund.terms.refundFee} fen, not ${refundFee}`,
    );
  }
};

const assertSameRefundId = (refund: Existing, refundId: string): void => {
  if (refund.refundId !== undefined && refund.refundId !== refundId) {
    throw new RefundRuleViolation(
      'REFUND_ID_MISMATCH',
      `refund ${refund.terms.outRefundNo} has WeChat refund id ${refund.refundId}, not ${refundId}`,
    );
  }
};
