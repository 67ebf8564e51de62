import type { Logger } from 'pino';
import { systemClock, type Clock } from '../../application/ports/clock.js';
import type { Config } from '../config/config.js';
import type { WechatApiVersion, WechatCertificateSource } from '../config/wechatVariables.js';
import { StartupError } from '../config/startupError.js';
import {
  loadMerchantCertificate,
  type MerchantCertificate,
  type MerchantCertificateSource,
} from './merchantCertificate.js';
import { MerchantCertificateError } from './merchantCertificateError.js';
import { wechatV3Credentials } from './v3/wechatV3Credentials.js';
import { setUpWechatV3, type WechatV3 } from './v3/wechatV3Setup.js';
import { createWechatPayClient, type WechatPayClient } from './wechatPayClient.js';

export type WechatMerchant = {
  appid: string;
  mchId: string;
  apiKey: string;
  /** WECHAT_API_KEY_PREVIOUS: notifications still decrypt with it while the key is rotated. */
  apiKeyPrevious?: string;
};

/** The merchant's keys as the configuration gives them, besides its identity. */
export const merchantOf = (
  identity: { appid: string; mchId: string; apiKey: string },
  wechat: { apiKeyPrevious?: string },
): WechatMerchant => ({
  ...identity,
  ...(wechat.apiKeyPrevious !== undefined && { apiKeyPrevious: wechat.apiKeyPrevious }),
});

/** WeChat Pay as the service uses it: the merchant's identity, and clients to call it. */
export type WechatSetup = {
  merchant: WechatMerchant;
  /** Where the API is: WECHAT_API_BASE_URL, or the in-process sandbox. */
  baseUrl: string;
  /** Which API sends and queries refunds (WECHAT_API_VERSION). */
  apiVersion: WechatApiVersion;
  /** API v2's client, whose notify_url is the given one. */
  createClient: (notifyUrl: string) => WechatPayClient;
  /** API v3 (its client and notification decoder), when configured: always with apiVersion v3. */
  v3?: WechatV3;
  close: () => Promise<void>;
};

const certificateSource = (source: WechatCertificateSource): MerchantCertificateSource =>
  source.kind === 'p12'
    ? { p12Path: source.path, password: source.password }
    : { certPemPath: source.certPath, keyPemPath: source.keyPath };

/** Options every WeChat Pay client of the service shares, from the configuration. */
export const clientOptions = (config: Config, logger: Logger) => ({
  signType: config.wechat.signType,
  maxRequestsPerSecond: config.wechatMaxRps,
  logger,
});

/**
 * Live mode: loads the merchant certificate (a bad one stops the start with one line), and the v3
 * keys when configured (one line per problem), and talks to WECHAT_API_BASE_URL. Sandbox mode is
 * set up by the simulator (src/sandbox).
 */
export const setUpLiveWechat = (
  config: Config,
  live: Extract<Config['wechat'], { mode: 'live' }>,
  { logger, clock = systemClock }: { logger: Logger; clock?: Clock },
): WechatSetup => {
  const common = clientOptions(config, logger);
  let certificate: MerchantCertificate;
  try {
    certificate = loadMerchantCertificate(certificateSource(live.certificate), live.mchId);
  } catch (error) {
    if (error instanceof MerchantCertificateError) throw new StartupError(error.message);
    throw error;
  }
  const identity = { appid: live.appid, mchId: live.mchId, apiKey: live.apiKey };
  const v3 =
    live.v3 &&
    setUpWechatV3(
      wechatV3Credentials({
        config,
        v3: live.v3,
        baseUrl: live.baseUrl,
        mchId: live.mchId,
        certificate,
        ...(live.caPath !== undefined && { caPath: live.caPath }),
      }),
      { logger, clock },
    );
  return {
    merchant: merchantOf(identity, live),
    baseUrl: live.baseUrl,
    apiVersion: live.apiVersion,
    ...(v3 !== undefined && { v3 }),
    createClient: (notifyUrl) =>
      createWechatPayClient({
        ...common,
        ...identity,
        baseUrl: live.baseUrl,
        notifyUrl,
        certificate,
        ...(live.caPath !== undefined && { caPath: live.caPath }),
      }),
    close: async () => v3?.close(),
  };
};
