import { z } from 'zod';

/** API v3's own settings (DESIGN §4); the private key is the merchant certificate's. */
export type WechatV3Config = {
  apiV3Key: string;
  apiV3KeyPrevious?: string;
  merchantSerialNo: string;
  /** WeChat Pay's public key; without it only downloaded platform certificates verify. */
  platformPublicKey?: { path: string; id: string };
};

// The APIv3 key is 32 bytes (AES-256): WECHAT-V3.md §6.
const apiV3Key = z
  .string()
  .refine((key) => Buffer.byteLength(key, 'utf8') === 32, 'must be the 32-byte APIv3 key');

export const wechatV3Variables = z.object({
  WECHAT_API_V3_KEY: apiV3Key.optional(),
  WECHAT_API_V3_KEY_PREVIOUS: apiV3Key.optional(),
  WECHAT_MERCHANT_SERIAL_NO: z
    .string()
    .regex(
      /^[0-9A-Fa-f]{1,64}$/,
      'must be the serial number of the merchant API certificate (hexadecimal)',
    )
    .optional(),
  WECHAT_PLATFORM_PUBLIC_KEY_PATH: z.string().optional(),
  WECHAT_PLATFORM_PUBLIC_KEY_ID: z
    .string()
    .regex(/^PUB_KEY_ID_[0-9A-Za-z_]+$/, 'must be the id WeChat shows, PUB_KEY_ID_…')
    .optional(),
});

/**
 * The v3 settings of live mode: required with WECHAT_API_VERSION=v3, and taken whenever given
 * (v3 notifications of refunds sent under v3 still arrive after a switch back to v2).
 */
export const v3Config = (
  v: z.infer<typeof wechatV3Variables> & { WECHAT_API_VERSION: 'v2' | 'v3' },
  problems: string[],
): WechatV3Config | undefined => {
  const path = v.WECHAT_PLATFORM_PUBLIC_KEY_PATH;
  const id = v.WECHAT_PLATFORM_PUBLIC_KEY_ID;
  if ((path === undefined) !== (id === undefined)) {
    problems.push(
      'WECHAT_PLATFORM_PUBLIC_KEY_ID: WECHAT_PLATFORM_PUBLIC_KEY_PATH and WECHAT_PLATFORM_PUBLIC_KEY_ID go together',
    );
  }
  const key = v.WECHAT_API_V3_KEY;
  const serial = v.WECHAT_MERCHANT_SERIAL_NO;
  if (v.WECHAT_API_VERSION === 'v3') {
    if (!key) problems.push('WECHAT_API_V3_KEY: required when WECHAT_API_VERSION is v3');
    if (!serial) problems.push('WECHAT_MERCHANT_SERIAL_NO: required when WECHAT_API_VERSION is v3');
  }
  if (!key || !serial) return undefined;
  return {
    apiV3Key: key,
    ...(v.WECHAT_API_V3_KEY_PREVIOUS !== undefined && {
      apiV3KeyPrevious: v.WECHAT_API_V3_KEY_PREVIOUS,
    }),
    merchantSerialNo: serial,
    ...(path !== undefined && id !== undefined && { platformPublicKey: { path, id } }),
  };
};
