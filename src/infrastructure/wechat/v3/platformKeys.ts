import type { KeyObject } from 'node:crypto';

/**
 * WeChat Pay's verification keys by the serial a `Wechatpay-Serial` header names: a platform
 * certificate's serial number, or the id (`PUB_KEY_ID_…`) of WeChat Pay's public key.
 * Undefined for a serial it does not know (after whatever refresh the source allows).
 */
export interface PlatformKeys {
  keyFor(serial: string): Promise<KeyObject | undefined>;
}

export type WechatpayPublicKey = { id: string; key: KeyObject };

/**
 * Both sources at once, chosen by serial: while a merchant moves from platform certificates to
 * the public key, answers and notifications use either for up to 7 days (WECHAT-V3.md §5).
 */
export const platformKeysBySerial = ({
  publicKey,
  certificates,
}: {
  publicKey?: WechatpayPublicKey;
  certificates?: PlatformKeys;
}): PlatformKeys => ({
  keyFor: async (serial) =>
    serial === publicKey?.id ? publicKey.key : certificates?.keyFor(serial),
});
