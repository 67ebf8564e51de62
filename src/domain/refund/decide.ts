import { assertNever } from '../assertNever.js';
import type { Fen } from '../money.js';
import type {
  AcceptRefund,
  FailRefund,
  MarkRefundSucceeded,
  NotifiedOrder,
  RefundCommand,
  RequestRefund,
  RetryRefund,
} from './refundCommands.js';
import type { RefundEvent, RefundOrigin, RefundRequested } from './refundEvents.js';
import { RefundRuleViolation } from './refundRuleViolation.js';
import type { Refund } from './refundState.js';
import {
  assertValidTerms,
  attemptTerms,
  refundNoConflict,
  refundTerms,
  sameTerms,
  type RefundTerms,
} from './refundTerms.js';

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
  throw refundNoConflict(terms.outRefundNo);
};

const acceptRefund = ({ data }: AcceptRefund, state: Refund): RefundEvent[] => {
  const refund = existing(state, data.outRefundNo);
  assertSameRefund(refund, data);
  switch (refund.status) {
    case 'REQUESTED':
      return [{ type: 'RefundAccepted', data: { ...data, outTradeNo: refund.terms.outTradeNo } }];
    case 'ACCEPTED':
    case 'SUCCEEDED':
      // The answer is already reflected (a repeat, or the notification raced the synchronous answer).
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
  const { order, requestedAt, ...succeeded } = data;
  if (state.status === 'NONE' && order) {
    return [
      notifiedRequest(data.outRefundNo, order, data.refundFee, requestedAt ?? data.recordedAt),
      { type: 'RefundSucceeded', data: { ...succeeded, outTradeNo: order.outTradeNo } },
    ];
  }
  const refund = existing(state, data.outRefundNo);
  assertSameRefund(refund, data);
  if (refund.status === 'SUCCEEDED') return [];
  // WeChat's SUCCESS wins over any earlier failure: the money has moved.
  return [{ type: 'RefundSucceeded', data: { ...succeeded, outTradeNo: refund.terms.outTradeNo } }];
};

const failRefund = ({ data }: FailRefund, state: Refund): RefundEvent[] => {
  const { order, refundFee, ...failure } = data;
  if (state.status === 'NONE' && order && refundFee !== undefined && data.stage === 'settlement') {
    return [
      notifiedRequest(data.outRefundNo, order, refundFee, data.failedAt),
      { type: 'RefundFailed', data: { ...failure, outTradeNo: order.outTradeNo } },
    ];
  }
  const refund = existing(state, data.outRefundNo);
  assertSameRefund(refund, data);
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
  const { outRefundNo, requestedAt, failedAttempt, ...choices } = data;
  const refund = existing(state, outRefundNo);
  if (failedAttempt !== undefined && refund.attempt > failedAttempt) return [];
  if (refund.status !== 'FAILED' || refund.stage !== 'request') {
    throw new RefundRuleViolation(
      'REFUND_NOT_RETRYABLE',
      `refund ${outRefundNo} is ${refund.status}; only a refund that failed at request can be retried`,
    );
  }
  return [
    requested(attemptTerms(refund.terms, choices), {
      requestedAt,
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

/** What WeChat reports must be about this refund: its refund_id (once known) and its amount. */
const assertSameRefund = (
  refund: Existing,
  reported: { refundId?: string; refundFee?: Fen },
): void => {
  if (reported.refundId !== undefined) assertSameRefundId(refund, reported.refundId);
  if (reported.refundFee !== undefined) assertSameAmount(refund, reported.refundFee);
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
