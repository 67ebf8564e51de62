import { describe, expect, it } from 'vitest';
import {
  decryptAead,
  decryptAeadWithAny,
  encryptAead,
} from '../../../../src/infrastructure/wechat/v3/aeadCipher.js';

const decrypt = (key: string, nonce: string, associatedData: string, ciphertext: string) =>
  decryptAead(key, { nonce, associatedData, ciphertext })?.toString('utf8');

describe('AEAD_AES_256_GCM (WECHAT-V3.md V1, V2)', () => {
  it('given V1 (wechatpay-java), when decrypted with its 32-byte key, then "message"', () => {
    expect(
      decrypt(
        'a7cde1ZJB1kG2e7VfTs3jQzaWizur8Gb',
        'uluk4a9R25RW',
        'associatedData',
        'ulwSiIajGClcvcOYvOQ7+l+0PAbzzwI=',
      ),
    ).toBe('message');
  });

  it('given V2 (wechatpay-axios-plugin) with a 16-byte iv, then "hello", and an empty plaintext with empty aad', () => {
    const key = '0123456789abcdef0123456789abcdef';
    expect(decrypt(key, '0123456789abcdef', 'world', 'APoZlYpivU3HjbAiB4CvW1rAFr8J')).toBe('hello');
    expect(decrypt(key, '0123456789abcdef', '', 'GvpmmdtYwexXIPhySs9Tlg==')).toBe('');
    // And the other way round: what the sandbox encrypts is WeChat's exact bytes.
    expect(encryptAead(key, 'hello', 'world', '0123456789abcdef').ciphertext).toBe(
      'APoZlYpivU3HjbAiB4CvW1rAFr8J',
    );
  });

  it.each([
    ['another key', { key: 'b7cde1ZJB1kG2e7VfTs3jQzaWizur8Gb' }],
    ['a key that is not 32 bytes', { key: 'testMchAPIv3Key0' }],
    ['other associated data', { aad: 'associatedDatb' }],
    ['a tampered ciphertext', { ct: 'vlwSiIajGClcvcOYvOQ7+l+0PAbzzwI=' }],
    ['a tampered tag', { ct: 'ulwSiIajGClcvcOYvOQ7+l+0PAbzzwA=' }],
    ['a truncated ciphertext', { ct: 'ulwSiIaj' }],
    ['text that is not base64', { ct: 'ulwSiIajGClcvcOYvOQ7+l+0PAbzzwI=!' }],
  ])(
    'given %s, then nothing decrypts',
    (_name, change: { key?: string; aad?: string; ct?: string }) => {
      expect(
        decrypt(
          change.key ?? 'a7cde1ZJB1kG2e7VfTs3jQzaWizur8Gb',
          'uluk4a9R25RW',
          change.aad ?? 'associatedData',
          change.ct ?? 'ulwSiIajGClcvcOYvOQ7+l+0PAbzzwI=',
        ),
      ).toBeUndefined();
    },
  );

  it('given a rotation, when the resource was sealed with the former key, then it decrypts with the keys in turn', () => {
    const former = 'a7cde1ZJB1kG2e7VfTs3jQzaWizur8Gb';
    const current = '0123456789abcdef0123456789abcdef';
    const sealed = encryptAead(former, '{"mchid":"1"}', 'refund');
    expect(decryptAeadWithAny([current], sealed)).toBeUndefined();
    expect(decryptAeadWithAny([current, former], sealed)?.toString()).toBe('{"mchid":"1"}');
  });
});
