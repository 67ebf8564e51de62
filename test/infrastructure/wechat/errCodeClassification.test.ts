import { describe, expect, it } from 'vitest';
import {
  classifyErrCode,
  classifyReturnFail,
} from '../../../src/infrastructure/wechat/errCodeClassification.js';

describe('err_code classification', () => {
  it.each([
    ['SYSTEMERROR', 'retryable'],
    ['BIZERR_NEED_RETRY', 'retryable'],
    ['FREQUENCY_LIMITED', 'retryable'],
    ['INVALID_REQ_TOO_MUCH', 'retryable'],
    ['ORDER_NOT_READY', 'retryable'],
    ['SIGNERROR', 'misconfigured'],
    ['CERT_ERROR', 'misconfigured'],
    ['NOAUTH', 'misconfigured'],
    ['APPID_NOT_EXIST', 'misconfigured'],
    ['MCHID_NOT_EXIST', 'misconfigured'],
    ['APPID_MCHID_NOT_MATCH', 'misconfigured'],
    ['NOTENOUGH', 'rejected'],
    ['TRADE_OVERDUE', 'rejected'],
    ['USER_ACCOUNT_ABNORMAL', 'rejected'],
    ['ORDERNOTEXIST', 'rejected'],
    ['INVALID_TRANSACTIONID', 'rejected'],
    ['PARAM_ERROR', 'rejected'],
    ['REQUIRE_POST_METHOD', 'rejected'],
    ['XML_FORMAT_ERROR', 'rejected'],
    ['REFUND_FEE_MISMATCH', 'rejected'],
    ['INVALID_REQUEST', 'rejected'],
    ['ERROR', 'rejected'],
    ['SOMETHING_NEW', 'rejected'],
  ])('given err_code %s, when classified, then it is %s', (code, expected) => {
    expect(classifyErrCode(code)).toBe(expected);
  });

  it.each([
    ['签名错误', 'misconfigured'],
    ['mch_id参数格式错误', 'misconfigured'],
    ['appid不存在', 'misconfigured'],
    ['商户号mch_id与appid不匹配', 'misconfigured'],
    ['证书已过期', 'misconfigured'],
    ['No permission', 'misconfigured'],
    ['系统繁忙,请稍后再试', 'retryable'],
    ['XML格式错误', 'retryable'],
    ['', 'retryable'],
  ])(
    'given return_code FAIL with return_msg %j, when classified, then it is %s',
    (msg, expected) => {
      expect(classifyReturnFail(msg)).toBe(expected);
    },
  );
});
