import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * AEAD_AES_256_GCM as WeChat Pay v3 uses it for notification resources and platform certificates
 * (WECHAT-V3.md §6): the key is the 32-byte APIv3 key (its UTF-8 bytes), the nonce a 12-character
 * string, the associated data possibly empty, and base64(ciphertext) is the encrypted bytes
 * followed by the 16-byte tag. Like wechatpay-go's core/cipher, it only does that one thing.
 */
export type AeadResource = { nonce: string; associatedData: string; ciphertext: string };

const tagLength = 16;

/** Whether a text can be an APIv3 key: exactly 32 bytes once UTF-8 encoded. */
export const isApiV3Key = (key: string): boolean => Buffer.byteLength(key, 'utf8') === 32;

/**
 * The plaintext, or undefined when it does not decrypt: a wrong key, a tampered ciphertext or
 * tag, or an input that is not base64 of at least a tag. Never throws on input.
 */
export const decryptAead = (apiV3Key: string, resource: AeadResource): Buffer | undefined => {
  if (!isApiV3Key(apiV3Key)) return undefined;
  const sealed = Buffer.from(resource.ciphertext, 'base64');
  // Node's base64 decoder skips what is not base64: re-encoding must give the input back.
  if (sealed.length < tagLength || sealed.toString('base64') !== resource.ciphertext) {
    return undefined;
  }
  try {
    const decipher = createDecipheriv(
      'aes-256-gcm',
      Buffer.from(apiV3Key, 'utf8'),
      Buffer.from(resource.nonce, 'utf8'),
      { authTagLength: tagLength },
    );
    decipher.setAAD(Buffer.from(resource.associatedData, 'utf8'));
    decipher.setAuthTag(sealed.subarray(sealed.length - tagLength));
    return Buffer.concat([
      decipher.update(sealed.subarray(0, sealed.length - tagLength)),
      decipher.final(),
    ]);
  } catch {
    return undefined;
  }
};

/** The first of the keys the resource decrypts with (the current APIv3 key, then a former one). */
export const decryptAeadWithAny = (
  apiV3Keys: readonly string[],
  resource: AeadResource,
): Buffer | undefined => {
  for (const key of apiV3Keys) {
    const plaintext = decryptAead(key, resource);
    if (plaintext !== undefined) return plaintext;
  }
  return undefined;
};

/** What WeChat does (the sandbox encrypts with it): a fresh 12-character nonce per resource. */
export const encryptAead = (
  apiV3Key: string,
  plaintext: string,
  associatedData: string,
  nonce: string = randomBytes(9).toString('base64url'),
): AeadResource => {
  const cipher = createCipheriv('aes-256-gcm', Buffer.from(apiV3Key, 'utf8'), Buffer.from(nonce), {
    authTagLength: tagLength,
  });
  cipher.setAAD(Buffer.from(associatedData, 'utf8'));
  const encrypted = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return {
    nonce,
    associatedData,
    ciphertext: Buffer.concat([encrypted, cipher.getAuthTag()]).toString('base64'),
  };
};
