import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hasValidSign, signFields, withSign } from '../../../src/infrastructure/wechat/sign.js';

// The official worked example (WECHAT.md "Signature", asserted by WxJava's SignUtilsTest).
const key = '192006250b4c09247ec02edce69f6a2d';
const fields = {
  appid: 'wxd930ea5d5a258f4f',
  mch_id: '10000100',
  device_info: '1000',
  body: 'test',
  nonce_str: 'ibuaiVcKdpRxkhJA',
};

describe('v2 signature', () => {
  it('given the official example, when signing with MD5, then it is 9A0A8659F005D6984697E2CA0A9CF3B7', () => {
    expect(signFields(fields, key, 'MD5')).toBe('9A0A8659F005D6984697E2CA0A9CF3B7');
  });

  it('given the official example, when signing with HMAC-SHA256, then it is the published digest', () => {
    expect(signFields(fields, key, 'HMAC-SHA256')).toBe(
      '6A9AE1657590FD6257D693A078E1C3E4BB6BA4DC30B23E0EE2496E54170DACD6',
    );
  });

  it('given empty fields and a sign field, when signing, then both are left out', () => {
    const withExtras = { ...fields, attach: '', sign: 'ANYTHING' };
    expect(signFields(withExtras, key, 'MD5')).toBe('9A0A8659F005D6984697E2CA0A9CF3B7');
  });

  it('given field names differing in case, when signing, then they sort in ASCII order', () => {
    // ASCII puts uppercase before lowercase (B=…&a=…); a locale-aware sort would not.
    const expected = createHash('md5').update(`B=2&a=1&key=${key}`).digest('hex').toUpperCase();
    expect(signFields({ a: '1', B: '2' }, key, 'MD5')).toBe(expected);
  });

  it.each(['MD5', 'HMAC-SHA256'] as const)(
    'given fields signed with %s, when verifying, then it verifies, and fails once a value changes',
    (signType) => {
      const signed = withSign(fields, key, signType);
      expect(hasValidSign(signed, key, signType)).toBe(true);
      expect(hasValidSign({ ...signed, body: 'tampered' }, key, signType)).toBe(false);
      expect(hasValidSign(signed, 'another-key', signType)).toBe(false);
    },
  );

  it('given a sign made with the other sign type, when verifying, then it fails', () => {
    expect(hasValidSign(withSign(fields, key, 'MD5'), key, 'HMAC-SHA256')).toBe(false);
  });

  it('given no sign or a short one, when verifying, then it fails without throwing', () => {
    expect(hasValidSign(fields, key, 'MD5')).toBe(false);
    expect(hasValidSign({ ...fields, sign: 'AB' }, key, 'MD5')).toBe(false);
  });

  it('given a lowercase sign, when verifying, then it is accepted', () => {
    const signed = withSign(fields, key, 'MD5');
    expect(hasValidSign({ ...signed, sign: signed.sign!.toLowerCase() }, key, 'MD5')).toBe(true);
  });
});
