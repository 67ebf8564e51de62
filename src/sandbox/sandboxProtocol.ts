import { randomBytes } from 'node:crypto';
import { hasValidSign, withSign, type SignType } from '../infrastructure/wechat/sign.js';
import {
  WechatXmlError,
  buildWechatXml,
  parseWechatXml,
} from '../infrastructure/wechat/xmlCodec.js';
import type { SandboxIdentity } from './sandboxIdentity.js';

/** A request that passed WeChat's envelope checks, or the reply that refuses it. */
export type EnvelopeCheck =
  | { kind: 'verified'; fields: Record<string, string>; signType: SignType }
  | { kind: 'refused'; reply: string };

/** return_code FAIL: unsigned, about the request as a message (WECHAT.md "Synchronous response"). */
export const returnFail = (returnMsg: string): string =>
  buildWechatXml({ return_code: 'FAIL', return_msg: returnMsg });

export const resultFail = (errCode: string, errCodeDes: string): Record<string, string> => ({
  result_code: 'FAIL',
  err_code: errCode,
  err_code_des: errCodeDes,
});

/**
 * The checks WeChat makes before reading a request: XML, the merchant, the sign (with the
 * request's sign_type, MD5 by default). A failure here is return_code FAIL, which WeChat does not
 * sign: the caller may not share our key. An appid that does not belong to the mch_id is only
 * reported once the sign shows the caller holds the merchant's key.
 */
export const checkEnvelope = (body: Buffer, identity: SandboxIdentity): EnvelopeCheck => {
  let fields: Record<string, string>;
  try {
    fields = parseWechatXml(body);
  } catch (error) {
    if (!(error instanceof WechatXmlError)) throw error;
    return {
      kind: 'refused',
      reply: returnFail(`XML格式错误 (XML_FORMAT_ERROR: ${error.message})`),
    };
  }
  for (const name of ['appid', 'mch_id', 'nonce_str', 'sign'] as const) {
    if (!fields[name]) return { kind: 'refused', reply: returnFail(`缺少参数 ${name}`) };
  }
  if (fields.mch_id !== identity.mchId) {
    return { kind: 'refused', reply: returnFail('mch_id不存在 (MCHID_NOT_EXIST)') };
  }
  const signType = fields.sign_type ?? 'MD5';
  if (signType !== 'MD5' && signType !== 'HMAC-SHA256') {
    return { kind: 'refused', reply: returnFail('sign_type参数错误 (PARAM_ERROR)') };
  }
  if (!hasValidSign(fields, identity.apiKey, signType)) {
    return { kind: 'refused', reply: returnFail('签名错误 (SIGNERROR)') };
  }
  return { kind: 'verified', fields, signType };
};

/**
 * A signed answer (return_code SUCCESS) with the merchant's appid/mch_id and a fresh nonce.
 * `corruptSign` flips the sign after signing: a test hook for clients' sign verification.
 */
export const signedReply = (
  result: Readonly<Record<string, string>>,
  identity: SandboxIdentity,
  signType: SignType,
  corruptSign: boolean,
): string => {
  const signed = withSign(
    {
      return_code: 'SUCCESS',
      return_msg: 'OK',
      appid: identity.appid,
      mch_id: identity.mchId,
      nonce_str: randomBytes(16).toString('hex'),
      ...result,
    },
    identity.apiKey,
    signType,
  );
  const sign = signed.sign ?? '';
  return buildWechatXml(
    corruptSign
      ? { ...signed, sign: `${sign.slice(0, -1)}${sign.endsWith('0') ? '1' : '0'}` }
      : signed,
  );
};
