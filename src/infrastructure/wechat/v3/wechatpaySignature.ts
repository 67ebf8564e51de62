import type { PlatformKeys } from './platformKeys.js';
import { answerMessage } from './authorization.js';
import { verifyRsaSignature } from './rsaVerifier.js';

/** The signature headers of an answer or a notification (WECHAT-V3.md §5). */
export type WechatpayHeaders = {
  timestamp?: string;
  nonce?: string;
  signature?: string;
  serial?: string;
};

export type SignatureProblem =
  | 'SIGNATURE_HEADERS_MISSING'
  /** WeChat's deliberate wrong signatures (`WECHATPAY/SIGNTEST/…`), sent to see that we verify. */
  | 'SIGNATURE_TEST'
  | 'TIMESTAMP_STALE'
  | 'SERIAL_UNKNOWN'
  | 'SIGNATURE_INVALID';

export type SignatureCheck =
  { ok: true } | { ok: false; problem: SignatureProblem; message: string };

/** Answers and notifications older or newer than this are refused (WECHAT-V3.md §5). */
export const signatureWindowSeconds = 300;

const signatureTestPrefix = 'WECHATPAY/SIGNTEST/';

type HeaderBag = Readonly<Record<string, string | string[] | undefined>>;

/** Reads the Wechatpay-* headers from Node's lower-cased header object. */
export const wechatpayHeadersOf = (headers: HeaderBag): WechatpayHeaders => {
  const one = (name: string): string | undefined => {
    const value = headers[name];
    return Array.isArray(value) ? value[0] : value;
  };
  const timestamp = one('wechatpay-timestamp');
  const nonce = one('wechatpay-nonce');
  const signature = one('wechatpay-signature');
  const serial = one('wechatpay-serial');
  return {
    ...(timestamp !== undefined && { timestamp }),
    ...(nonce !== undefined && { nonce }),
    ...(signature !== undefined && { signature }),
    ...(serial !== undefined && { serial }),
  };
};

const refused = (problem: SignatureProblem, message: string): SignatureCheck => ({
  ok: false,
  problem,
  message,
});

/**
 * Checks that WeChat Pay signed this body: the headers are all there, it is not a signature
 * probe, the timestamp is within 5 minutes of now, the serial names a key we trust, and the
 * SHA256withRSA signature over `TIMESTAMP\nNONCE\nBODY\n` verifies with it. Cheap checks come
 * first so that a forged notification costs no certificate download.
 */
export const checkWechatpaySignature = async ({
  headers,
  body,
  keys,
  now,
}: {
  headers: WechatpayHeaders;
  body: Buffer | string;
  keys: PlatformKeys;
  now: Date;
}): Promise<SignatureCheck> => {
  const { timestamp, nonce, signature, serial } = headers;
  if (!timestamp || !nonce || !signature || !serial) {
    return refused(
      'SIGNATURE_HEADERS_MISSING',
      'Wechatpay-Timestamp, -Nonce, -Signature and -Serial are required',
    );
  }
  if (signature.startsWith(signatureTestPrefix)) {
    return refused('SIGNATURE_TEST', 'a WECHATPAY/SIGNTEST/ signature probe');
  }
  const seconds = /^\d{1,12}$/.test(timestamp) ? Number(timestamp) : Number.NaN;
  if (!(Math.abs(now.getTime() / 1000 - seconds) < signatureWindowSeconds)) {
    return refused('TIMESTAMP_STALE', 'Wechatpay-Timestamp is not within 5 minutes of now');
  }
  const key = await keys.keyFor(serial);
  if (key === undefined) {
    return refused('SERIAL_UNKNOWN', `no WeChat Pay key with serial ${serial.slice(0, 64)}`);
  }
  return verifyRsaSignature(answerMessage(timestamp, nonce, body), signature, key)
    ? { ok: true }
    : refused('SIGNATURE_INVALID', 'Wechatpay-Signature does not verify');
};
