import { randomBytes } from 'node:crypto';
import type { SandboxV3Keys } from './sandboxV3Keys.js';
import { wechatpaySignatureHeaders, type WechatpaySigningKey } from './sandboxV3Protocol.js';

export type V3ApiRequest = {
  method: string;
  /** Path and query as sent: what the merchant signed. */
  url: string;
  headers: Readonly<Record<string, string | string[] | undefined>>;
  body: Buffer;
};

export type V3ApiAnswer = {
  status: number;
  headers: Record<string, string>;
  body: string | Buffer;
};

/**
 * v3's JSON answers, signed with the public key when the request names it in Wechatpay-Serial,
 * with the platform certificate otherwise; an error is a `{code, message}` body.
 */
export const v3Answers = ({
  keys,
  corrupt,
  now,
}: {
  keys: SandboxV3Keys;
  corrupt: () => boolean;
  now: () => Date;
}) => {
  const platformCertificateKey: WechatpaySigningKey = {
    serial: keys.platformCertificate.serial,
    sign: keys.platformCertificate.sign,
  };
  const publicKey: WechatpaySigningKey = { serial: keys.publicKey.id, sign: keys.publicKey.sign };

  const answer = (request: V3ApiRequest, status: number, value: unknown): V3ApiAnswer => {
    const body = JSON.stringify(value);
    const key =
      request.headers['wechatpay-serial'] === publicKey.serial ? publicKey : platformCertificateKey;
    return {
      status,
      headers: {
        'content-type': 'application/json; charset=utf-8',
        'request-id': randomBytes(16).toString('hex'),
        ...wechatpaySignatureHeaders(key, body, now(), corrupt()),
      },
      body,
    };
  };
  const error = (request: V3ApiRequest, status: number, code: string, message: string) =>
    answer(request, status, { code, message });
  return { answer, error };
};

export type V3Answers = ReturnType<typeof v3Answers>;
