import { z } from 'zod';
import { httpUrl } from './variableTypes.js';
import { v3Config, wechatV3Variables, type WechatV3Config } from './wechatV3Variables.js';

export type WechatCertificateSource =
  | { kind: 'p12'; path: string; password: string }
  | { kind: 'pem'; certPath: string; keyPath: string };

export type WechatApiVersion = 'v2' | 'v3';

export type SignType = 'MD5' | 'HMAC-SHA256';

export type WechatConfig =
  | {
      mode: 'sandbox';
      signType: SignType;
      apiVersion: WechatApiVersion;
      /** WECHAT_API_KEY_PREVIOUS: still decrypts notifications while the key is rotated. */
      apiKeyPrevious?: string;
    }
  | {
      mode: 'live';
      signType: SignType;
      /** Which API sends and queries refunds; both notification routes stay mounted. */
      apiVersion: WechatApiVersion;
      /** WECHAT_API_KEY_PREVIOUS: still decrypts notifications while the key is rotated. */
      apiKeyPrevious?: string;
      baseUrl: string;
      appid: string;
      mchId: string;
      apiKey: string;
      certificate: WechatCertificateSource;
      caPath?: string;
      /** Present when the v3 variables are set (required with WECHAT_API_VERSION=v3). */
      v3?: WechatV3Config;
    };

/** WeChat Pay: sandbox or live, the merchant, its certificate and keys, API v2 or v3. */
export const wechatVariables = z.object({
  WECHAT_MODE: z.enum(['sandbox', 'live']).default('sandbox'),
  WECHAT_API_BASE_URL: httpUrl.default('https://api.mch.weixin.qq.com'),
  WECHAT_APPID: z.string().optional(),
  WECHAT_MCH_ID: z.string().regex(/^\d+$/, 'must be digits').optional(),
  WECHAT_API_KEY: z.string().length(32, 'must be the 32-character API v2 key').optional(),
  WECHAT_API_KEY_PREVIOUS: z
    .string()
    .length(32, 'must be the former 32-character API v2 key')
    .optional(),
  WECHAT_SIGN_TYPE: z.enum(['MD5', 'HMAC-SHA256']).default('MD5'),
  WECHAT_CERT_P12_PATH: z.string().optional(),
  WECHAT_CERT_P12_PASSWORD: z.string().optional(),
  WECHAT_CERT_PEM_PATH: z.string().optional(),
  WECHAT_KEY_PEM_PATH: z.string().optional(),
  WECHAT_CA_PATH: z.string().optional(),
  WECHAT_API_VERSION: z.enum(['v2', 'v3']).default('v2'),
  ...wechatV3Variables.shape,
});

type WechatVariables = z.infer<typeof wechatVariables>;

/** WeChat Pay's settings, or undefined with what live mode lacks in problems. */
export const wechatConfig = (v: WechatVariables, problems: string[]): WechatConfig | undefined => {
  const previous = v.WECHAT_API_KEY_PREVIOUS;
  const apiKeyPrevious = previous !== undefined && { apiKeyPrevious: previous };
  if (v.WECHAT_MODE === 'sandbox') {
    return {
      mode: 'sandbox',
      signType: v.WECHAT_SIGN_TYPE,
      apiVersion: v.WECHAT_API_VERSION,
      ...apiKeyPrevious,
    };
  }
  const v3 = v3Config(v, problems);
  const missing = (['WECHAT_APPID', 'WECHAT_MCH_ID', 'WECHAT_API_KEY'] as const).filter(
    (name) => !v[name],
  );
  for (const name of missing) problems.push(`${name}: required when WECHAT_MODE is live`);
  const certificate = certificateSource(v, problems);
  if (!v.WECHAT_APPID || !v.WECHAT_MCH_ID || !v.WECHAT_API_KEY || !certificate) return undefined;
  return {
    mode: 'live',
    signType: v.WECHAT_SIGN_TYPE,
    apiVersion: v.WECHAT_API_VERSION,
    ...apiKeyPrevious,
    baseUrl: v.WECHAT_API_BASE_URL,
    appid: v.WECHAT_APPID,
    mchId: v.WECHAT_MCH_ID,
    apiKey: v.WECHAT_API_KEY,
    certificate: certificate(v.WECHAT_MCH_ID),
    ...(v.WECHAT_CA_PATH !== undefined && { caPath: v.WECHAT_CA_PATH }),
    ...(v3 !== undefined && { v3 }),
  };
};

/** The merchant certificate, as a function of the mch_id (the .p12 password defaults to it). */
const certificateSource = (
  v: WechatVariables,
  problems: string[],
): ((mchId: string) => WechatCertificateSource) | undefined => {
  const p12 = v.WECHAT_CERT_P12_PATH;
  const pem = v.WECHAT_CERT_PEM_PATH;
  const key = v.WECHAT_KEY_PEM_PATH;
  if (p12 && (pem || key)) {
    problems.push(
      'WECHAT_CERT_P12_PATH: give either the .p12 or WECHAT_CERT_PEM_PATH + WECHAT_KEY_PEM_PATH, not both',
    );
    return undefined;
  }
  if (p12) {
    const password = v.WECHAT_CERT_P12_PASSWORD;
    return (mchId) => ({ kind: 'p12', path: p12, password: password ?? mchId });
  }
  if (pem && key) return () => ({ kind: 'pem', certPath: pem, keyPath: key });
  problems.push(
    pem || key
      ? 'WECHAT_KEY_PEM_PATH: WECHAT_CERT_PEM_PATH and WECHAT_KEY_PEM_PATH go together'
      : 'WECHAT_CERT_P12_PATH: the merchant certificate (or WECHAT_CERT_PEM_PATH + WECHAT_KEY_PEM_PATH) is required when WECHAT_MODE is live',
  );
  return undefined;
};
