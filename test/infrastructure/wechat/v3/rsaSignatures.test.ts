import { createPrivateKey, X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createRsaSigner } from '../../../../src/infrastructure/wechat/v3/rsaSigner.js';
import {
  authorizationHeader,
  parseAuthorization,
  requestMessage,
} from '../../../../src/infrastructure/wechat/v3/authorization.js';
import { checkWechatpaySignature } from '../../../../src/infrastructure/wechat/v3/wechatpaySignature.js';
import type { PlatformKeys } from '../../../../src/infrastructure/wechat/v3/platformKeys.js';
import {
  v3Body,
  v3Certificate,
  v3Nonce,
  v3Serial,
  v3Signature,
  v3Timestamp,
  v4PrivateKeyPem,
  v4Signature,
} from './support/wechatpayGoVectors.js';

const platformKeys: PlatformKeys = {
  keyFor: async (serial) =>
    serial === v3Serial ? new X509Certificate(v3Certificate).publicKey : undefined,
};
const frozenAt = (seconds: number) => new Date(seconds * 1000);
const headers = {
  timestamp: v3Timestamp,
  nonce: v3Nonce,
  signature: v3Signature,
  serial: v3Serial,
};
const check = (changes: Partial<typeof headers> = {}, body = v3Body, now = Number(v3Timestamp)) =>
  checkWechatpaySignature({
    headers: { ...headers, ...changes },
    body: Buffer.from(body),
    keys: platformKeys,
    now: frozenAt(now),
  });

describe('SHA256withRSA signing (WECHAT-V3.md V4)', () => {
  it('given the wechatpay-go TESTING KEY, when "source" is signed, then the SDK\'s exact signature', () => {
    const sign = createRsaSigner(createPrivateKey(v4PrivateKeyPem));
    expect(sign('source')).toBe(v4Signature);
  });

  it('given a request, then the Authorization header signs METHOD, URL, timestamp, nonce and the exact body', () => {
    const sign = createRsaSigner(createPrivateKey(v4PrivateKeyPem));
    const request = { method: 'GET', canonicalUrl: '/v3/refund/domestic/refunds/R1', body: '' };
    const header = authorizationHeader({
      request,
      mchId: '1900000001',
      merchantSerialNo: 'F5765756002FDD77',
      sign,
      timestamp: '1624523846',
      nonce: 'n0nce',
    });
    expect(requestMessage(request, '1624523846', 'n0nce')).toBe(
      'GET\n/v3/refund/domestic/refunds/R1\n1624523846\nn0nce\n\n',
    );
    expect(parseAuthorization(header)).toEqual({
      mchid: '1900000001',
      nonce_str: 'n0nce',
      timestamp: '1624523846',
      serial_no: 'F5765756002FDD77',
      signature: sign('GET\n/v3/refund/domestic/refunds/R1\n1624523846\nn0nce\n\n'),
    });
    expect(
      header.startsWith('WECHATPAY2-SHA256-RSA2048 mchid="1900000001",nonce_str="n0nce",'),
    ).toBe(true);
  });

  it.each([
    ['another scheme', 'Bearer abc'],
    [
      'a missing parameter',
      'WECHATPAY2-SHA256-RSA2048 mchid="1",nonce_str="n",timestamp="1",serial_no="S"',
    ],
    [
      'an unquoted value',
      'WECHATPAY2-SHA256-RSA2048 mchid=1,nonce_str="n",timestamp="1",serial_no="S",signature="x"',
    ],
  ])("given %s, then the Authorization header is not WeChat Pay's", (_name, header) => {
    expect(parseAuthorization(header)).toBeUndefined();
  });
});

describe('Wechatpay-Signature verification (WECHAT-V3.md V3, clock frozen at its timestamp)', () => {
  it('given the wechatpay-go notification, then its signature verifies with the certificate of its serial', async () => {
    expect(await check()).toEqual({ ok: true });
    // Within the window on either side.
    expect(await check({}, v3Body, Number(v3Timestamp) + 299)).toEqual({ ok: true });
    expect(await check({}, v3Body, Number(v3Timestamp) - 299)).toEqual({ ok: true });
  });

  it.each([
    ['a body changed by one byte', {}, v3Body.replace('签约成功', '签约失败'), 'SIGNATURE_INVALID'],
    ['another nonce', { nonce: 'EcZ9Cmy4Xyx1i6RlJQzLcCyEqDa26NBy' }, v3Body, 'SIGNATURE_INVALID'],
    [
      'a WECHATPAY/SIGNTEST/ probe',
      { signature: `WECHATPAY/SIGNTEST/${v3Signature}` },
      v3Body,
      'SIGNATURE_TEST',
    ],
    [
      'an unknown serial',
      { serial: '5157F09EFDC096DE15EBE81A47057A7232F1B8E1' },
      v3Body,
      'SERIAL_UNKNOWN',
    ],
    ['a timestamp that is not a number', { timestamp: '1624523846.0' }, v3Body, 'TIMESTAMP_STALE'],
    ['no signature', { signature: '' }, v3Body, 'SIGNATURE_HEADERS_MISSING'],
    ['a signature that is not base64', { signature: 'not base64!' }, v3Body, 'SIGNATURE_INVALID'],
  ])('given %s, then refused', async (_name, changes, body, problem) => {
    expect(await check(changes, body)).toMatchObject({ ok: false, problem });
  });

  it('given the clock 5 minutes or more away from the timestamp, then refused as stale', async () => {
    for (const now of [
      Number(v3Timestamp) + 300,
      Number(v3Timestamp) - 300,
      Number(v3Timestamp) + 86_400,
    ]) {
      expect(await check({}, v3Body, now)).toMatchObject({ ok: false, problem: 'TIMESTAMP_STALE' });
    }
  });
});
