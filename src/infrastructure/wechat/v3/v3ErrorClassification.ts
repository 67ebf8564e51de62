import type { ErrCodeClass } from '../errCodeClassification.js';

// WECHAT-V3.md §3: worth trying again with the same out_refund_no and amounts.
const retryable = new Set(['SYSTEM_ERROR', 'FREQUENCY_LIMITED', 'SERVICE_UNAVAILABLE']);

// Faults of our configuration: every refund would hit them, an operator must act.
const misconfigured = new Set(['SIGN_ERROR', 'MCH_NOT_EXISTS']);

/**
 * The class of a v3 error answer. 5xx and 429 are transient whatever the code; a 401 is always
 * about our signature. Any other 4xx is a definitive refusal of this refund (NOT_ENOUGH,
 * USER_ACCOUNT_ABNORMAL, NO_AUTH, PARAM_ERROR, INVALID_REQUEST, RESOURCE_NOT_EXISTS, …).
 */
export const classifyV3Error = (status: number, code: string): ErrCodeClass =>
  retryable.has(code) || status >= 500 || status === 429
    ? 'retryable'
    : misconfigured.has(code) || status === 401
      ? 'misconfigured'
      : 'rejected';
