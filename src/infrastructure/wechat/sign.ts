import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export type SignType = 'MD5' | 'HMAC-SHA256';

/**
 * The v2 string to sign (WECHAT.md "Signature"): every non-empty field except `sign`, in ASCII
 * order of the names, joined raw as `k=v&k=v` (no URL encoding), then `&key=<API key>`.
 */
const stringToSign = (fields: Readonly<Record<string, string>>, apiKey: string): string => {
  const pairs = Object.keys(fields)
    .filter((name) => name !== 'sign' && fields[name] !== undefined && fields[name] !== '')
    // Plain code-unit comparison is ASCII order; localeCompare would not be.
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .map((name) => `${name}=${fields[name] ?? ''}`);
  return `${pairs.join('&')}&key=${apiKey}`;
};

/** The uppercase hex v2 signature of the fields. HMAC-SHA256 signs the same string, `&key=` included. */
export const signFields = (
  fields: Readonly<Record<string, string>>,
  apiKey: string,
  signType: SignType,
): string => {
  const text = stringToSign(fields, apiKey);
  const digest =
    signType === 'MD5'
      ? createHash('md5').update(text, 'utf8').digest('hex')
      : createHmac('sha256', apiKey).update(text, 'utf8').digest('hex');
  return digest.toUpperCase();
};

/** Whether the fields carry a valid `sign`; compared in constant time. */
export const hasValidSign = (
  fields: Readonly<Record<string, string>>,
  apiKey: string,
  signType: SignType,
): boolean => {
  const given = fields.sign;
  if (given === undefined || given === '') return false;
  const expected = Buffer.from(signFields(fields, apiKey, signType), 'utf8');
  // WeChat sends uppercase hex; accept lowercase too, as the SDKs do.
  const actual = Buffer.from(given.toUpperCase(), 'utf8');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
};

/** Returns the fields with their `sign` added (sign_type, when sent, must already be a field). */
export const withSign = (
  fields: Readonly<Record<string, string>>,
  apiKey: string,
  signType: SignType,
): Record<string, string> => ({ ...fields, sign: signFields(fields, apiKey, signType) });
