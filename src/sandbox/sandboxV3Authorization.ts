import {
  parseAuthorization,
  requestMessage,
  type AuthorizationParameters,
} from '../infrastructure/wechat/v3/authorization.js';
import { verifyRsaSignature } from '../infrastructure/wechat/v3/rsaVerifier.js';
import { signatureWindowSeconds } from '../infrastructure/wechat/v3/wechatpaySignature.js';
import type { V3ApiRequest } from './sandboxV3Answers.js';
import type { SandboxV3Keys } from './sandboxV3Keys.js';

type Refusal = { status: number; code: string; message: string };

/**
 * The merchant's Authorization (WECHAT-V3.md §4), checked as WeChat does: what is wrong with it
 * as v3's error answer, or undefined when it holds.
 */
export const v3AuthorizationProblem = (
  request: V3ApiRequest,
  { mchId, keys, now }: { mchId: string; keys: SandboxV3Keys; now: () => Date },
): Refusal | undefined => {
  const header = request.headers['authorization'];
  const authorization = parseAuthorization(Array.isArray(header) ? header[0] : header);
  if (authorization === undefined) {
    const message = 'Authorization is not WECHATPAY2-SHA256-RSA2048';
    return { status: 401, code: 'SIGN_ERROR', message };
  }
  if (authorization.mchid !== mchId) {
    return { status: 404, code: 'MCH_NOT_EXISTS', message: 'mchid does not exist' };
  }
  const problem = signatureProblem(request, authorization, keys, now);
  return problem === undefined ? undefined : { status: 401, code: 'SIGN_ERROR', message: problem };
};

const signatureProblem = (
  request: V3ApiRequest,
  authorization: AuthorizationParameters,
  keys: SandboxV3Keys,
  now: () => Date,
): string | undefined => {
  if (authorization.serial_no !== keys.merchantSerialNo) {
    return `serial_no ${authorization.serial_no} is not the merchant's API certificate`;
  }
  const seconds = Number(authorization.timestamp);
  if (!(Math.abs(now().getTime() / 1000 - seconds) < signatureWindowSeconds)) {
    return 'the Authorization timestamp is more than 5 minutes away';
  }
  const message = requestMessage(
    { method: request.method, canonicalUrl: request.url, body: request.body.toString('utf8') },
    authorization.timestamp,
    authorization.nonce_str,
  );
  return verifyRsaSignature(message, authorization.signature, keys.merchantPublicKey)
    ? undefined
    : 'the signature does not verify with the merchant API certificate';
};
