import { z } from 'zod';

export type ErrCodeClass = 'retryable' | 'misconfigured' | 'rejected';

// WECHAT.md "Synchronous response": worth trying again with the same out_refund_no and amounts.
const retryable = new Set([
  'SYSTEMERROR',
  'BIZERR_NEED_RETRY',
  'FREQUENCY_LIMITED',
  'INVALID_REQ_TOO_MUCH',
  'ORDER_NOT_READY',
]);

// Faults of our configuration, not of the refund: an operator must fix them, and every other
// refund will hit them too, so they are raised loudly rather than recorded as a refund failure.
const misconfigured = new Set([
  'SIGNERROR',
  'CERT_ERROR',
  'NOAUTH',
  'APPID_NOT_EXIST',
  'MCHID_NOT_EXIST',
  'APPID_MCHID_NOT_MATCH',
]);

/**
 * The class of a result_code FAIL answer's err_code. Anything not known to be transient or a
 * configuration fault is a definitive refusal (NOTENOUGH, TRADE_OVERDUE, PARAM_ERROR, ERROR, …).
 */
export const classifyErrCode = (errCode: string): ErrCodeClass =>
  retryable.has(errCode) ? 'retryable' : misconfigured.has(errCode) ? 'misconfigured' : 'rejected';

// return_msg texts WeChat sends with return_code FAIL when the merchant's setup is wrong
// (签名错误 = sign error, 证书 = certificate, 商户号 = merchant number, 权限 = permission).
const configurationMessage = /签名|sign|证书|cert|appid|mch_?id|商户号|权限|permission|auth/i;

/**
 * return_code FAIL is about communication, not the refund (WECHAT.md): retryable unless the
 * message clearly names a configuration fault.
 */
export const classifyReturnFail = (returnMsg: string): 'retryable' | 'misconfigured' =>
  configurationMessage.test(returnMsg) ? 'misconfigured' : 'retryable';

const failureSchema = z.object({
  result_code: z.literal('FAIL'),
  err_code: z.string().min(1),
  err_code_des: z.string().optional(),
});

/** A result_code FAIL answer, classified; undefined for any other answer. */
export const classifiedFailureOf = (
  fields: Readonly<Record<string, string>>,
): { kind: ErrCodeClass; code: string; message: string } | undefined => {
  const failure = failureSchema.safeParse(fields);
  if (!failure.success) return undefined;
  const { err_code: code, err_code_des: description } = failure.data;
  return { kind: classifyErrCode(code), code, message: description ?? code };
};
