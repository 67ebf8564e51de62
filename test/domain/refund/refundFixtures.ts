import type {
  AcceptRefund,
  FailRefund,
  MarkRefundSucceeded,
  RefundAccepted,
  RefundFailed,
  RefundRequested,
  RefundSucceeded,
  RequestRefund,
  RetryRefund,
} from '../../../src/domain/index.js';

export const at = '2026-11-28T08:00:00.000Z';
export const later = '2026-11-28T08:05:00.000Z';

export const terms = {
  outRefundNo: 'R1',
  outTradeNo: 'T1',
  transactionId: '4200000001201811190001234567',
  totalFee: 3960,
  refundFee: 1990,
  reason: '商品已退货',
};

export const requestRefund = (overrides: Partial<RequestRefund['data']> = {}): RequestRefund => ({
  type: 'RequestRefund',
  data: { ...terms, requestedAt: at, ...overrides },
});

export const refundRequested = (
  overrides: Partial<RefundRequested['data']> = {},
): RefundRequested => ({
  type: 'RefundRequested',
  data: { ...terms, requestedAt: at, attempt: 1, origin: 'api', ...overrides },
});

export const refundId = '50000408942018111907145868882';

const acceptance = {
  outRefundNo: 'R1',
  refundId,
  transactionId: terms.transactionId,
  refundFee: 1990,
  settlementRefundFee: 1990,
  cashRefundFee: 1990,
  acceptedAt: later,
};

export const acceptRefund = (overrides: Partial<AcceptRefund['data']> = {}): AcceptRefund => ({
  type: 'AcceptRefund',
  data: { ...acceptance, ...overrides },
});

export const refundAccepted = (
  overrides: Partial<RefundAccepted['data']> = {},
): RefundAccepted => ({
  type: 'RefundAccepted',
  data: { ...acceptance, ...overrides, outTradeNo: overrides.outTradeNo ?? 'T1' },
});

const success = {
  outRefundNo: 'R1',
  refundId,
  refundFee: 1990,
  settlementRefundFee: 1990,
  refundRecvAccount: '支付用户零钱',
  refundAccount: 'REFUND_SOURCE_UNSETTLED_FUNDS',
  refundRequestSource: 'API',
  successTime: '2018-11-19T16:24:13+08:00',
  recordedAt: later,
};

export const markSucceeded = (
  overrides: Partial<MarkRefundSucceeded['data']> = {},
): MarkRefundSucceeded => ({ type: 'MarkRefundSucceeded', data: { ...success, ...overrides } });

export const refundSucceeded = (
  overrides: Partial<RefundSucceeded['data']> = {},
): RefundSucceeded => ({
  type: 'RefundSucceeded',
  data: { ...success, outTradeNo: 'T1', ...overrides },
});

export const failRefund = (
  stage: 'request' | 'settlement',
  code: string,
  overrides: Partial<FailRefund['data']> = {},
): FailRefund => ({
  type: 'FailRefund',
  data: {
    outRefundNo: 'R1',
    stage,
    code,
    message: `${code} happened`,
    failedAt: later,
    ...overrides,
  },
});

/** The gateway's FailRefund of a request WeChat refused for lack of funds, now. */
export const failedNotEnoughNow = (outRefundNo: string): FailRefund =>
  failRefund('request', 'NOTENOUGH', {
    outRefundNo,
    message: '余额不足',
    failedAt: new Date().toISOString(),
  });

export const refundFailed = (
  stage: 'request' | 'settlement',
  code: string,
  overrides: Partial<RefundFailed['data']> = {},
): RefundFailed => ({
  type: 'RefundFailed',
  data: {
    outRefundNo: 'R1',
    outTradeNo: 'T1',
    stage,
    code,
    message: `${code} happened`,
    failedAt: later,
    ...overrides,
  },
});

export const retryRefund = (
  requestedAt = later,
  choices: Omit<RetryRefund['data'], 'outRefundNo' | 'requestedAt'> = {},
): RetryRefund => ({
  type: 'RetryRefund',
  data: { outRefundNo: 'R1', requestedAt, ...choices },
});

export const notifiedOrder = {
  outTradeNo: 'T9',
  transactionId: '4200000001201811190009999999',
  totalFee: 5000,
};
