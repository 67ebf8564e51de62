import type { SandboxV3Keys } from './sandboxV3Keys.js';
import type { WechatpaySigningKey } from './sandboxV3Protocol.js';

export type V3NotificationSigning = 'alternate' | 'platformCertificate' | 'publicKey';

/**
 * Which key signs each v3 notification. WeChat mixes both while a merchant moves to the public
 * key; the default alternates, the public key first.
 */
export const v3NotificationSigning = (keys: SandboxV3Keys) => {
  let choice: V3NotificationSigning = 'alternate';
  let notifications = 0;
  return {
    next: (): WechatpaySigningKey => {
      notifications += 1;
      const usePublicKey =
        choice === 'publicKey' || (choice === 'alternate' && notifications % 2 === 1);
      return usePublicKey
        ? { serial: keys.publicKey.id, sign: keys.publicKey.sign }
        : { serial: keys.platformCertificate.serial, sign: keys.platformCertificate.sign };
    },
    use: (next: V3NotificationSigning): void => {
      choice = next;
    },
  };
};
