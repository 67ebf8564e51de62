import { createVerify, type KeyObject } from 'node:crypto';

const strictBase64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Whether a base64 SHA256withRSA signature of the message verifies with the public key (the
 * shape of wechatpay-go's core/auth/verifiers). Any malformed input is simply "no".
 */
export const verifyRsaSignature = (
  message: string | Buffer,
  signature: string,
  publicKey: KeyObject,
): boolean => {
  if (signature.length === 0 || !strictBase64.test(signature)) return false;
  try {
    return createVerify('RSA-SHA256')
      .update(message)
      .verify(publicKey, Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
};
