import { createSign, type KeyObject } from 'node:crypto';

/** Signs a message as WeChat Pay v3 asks (SHA256withRSA, PKCS#1 v1.5), base64. */
export type RsaSigner = (message: string) => string;

/**
 * The merchant's signer (WECHAT-V3.md §4), or the sandbox's as WeChat: one private key, nothing
 * else (the shape of wechatpay-go's core/auth/signers). The key is a KeyObject so that it is
 * parsed once, not on every call.
 */
export const createRsaSigner =
  (privateKey: KeyObject): RsaSigner =>
  (message) =>
    createSign('RSA-SHA256').update(message, 'utf8').sign(privateKey, 'base64');
