import { createCipheriv, createDecipheriv, createHash } from 'node:crypto';

/**
 * req_info of a refund notification (WECHAT.md "Refund result notification"): AES-256-ECB with
 * PKCS#7 padding; the key is the 32 ASCII bytes of the lowercase hex MD5 of the API v2 key (not
 * the 16 raw digest bytes, which is the usual "Given final block not properly padded" mistake).
 */
const reqInfoKey = (apiKey: string): Buffer =>
  Buffer.from(createHash('md5').update(apiKey, 'utf8').digest('hex'), 'ascii');

const strictBase64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Node's base64 decoder skips invalid characters silently; this refuses them instead. */
export const decodeStrictBase64 = (text: string): Buffer | undefined =>
  text.length > 0 && strictBase64.test(text) ? Buffer.from(text, 'base64') : undefined;

/** The plaintext, or undefined when it does not decrypt (wrong key, truncated, bad padding). */
export const decryptReqInfo = (ciphertext: Buffer, apiKey: string): Buffer | undefined => {
  if (ciphertext.length === 0 || ciphertext.length % 16 !== 0) return undefined;
  try {
    const decipher = createDecipheriv('aes-256-ecb', reqInfoKey(apiKey), null);
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  } catch {
    return undefined;
  }
};

export const encryptReqInfo = (plaintext: string, apiKey: string): string => {
  const cipher = createCipheriv('aes-256-ecb', reqInfoKey(apiKey), null);
  return Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]).toString('base64');
};
