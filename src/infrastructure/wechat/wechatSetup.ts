import path from 'node:path';
import type { Logger } from 'pino';
import type { Config, WechatCertificateSource } from '../config/config.js';
import { StartupError } from '../startupError.js';
import {
  loadMerchantCertificate,
  type MerchantCertificate,
  type MerchantCertificateSource,
} from './merchantCertificate.js';
import { MerchantCertificateError } from './merchantCertificateError.js';
import { startWechatSandbox, type WechatSandbox } from './sandbox/wechatSandbox.js';
import { createWechatPayClient, type WechatPayClient } from './wechatPayClient.js';

export type WechatMerchant = { appid: string; mchId: string; apiKey: string };

/** WeChat Pay as the service uses it: the merchant's identity, and clients to call it. */
export type WechatSetup = {
  merchant: WechatMerchant;
  /** Where the API is: WECHAT_API_BASE_URL, or the in-process sandbox. */
  baseUrl: string;
  createClient: (notifyUrl: string) => WechatPayClient;
  /** The in-process simulator, in sandbox mode. */
  sandbox?: WechatSandbox;
  close: () => Promise<void>;
};

export type SandboxTuning = {
  notificationDelayMs?: number;
  retryTimeScale?: number;
  /** Where the simulator keeps its certificates; default DATA_DIR/sandbox. */
  certDir?: string;
};

const certificateSource = (source: WechatCertificateSource): MerchantCertificateSource =>
  source.kind === 'p12'
    ? { p12Path: source.path, password: source.password }
    : { certPemPath: source.certPath, keyPemPath: source.keyPath };

/**
 * Sandbox mode (the default) starts the WeChat Pay simulator in this process, on a free loopback
 * port with its own CA and merchant, so no money can move; live mode loads the merchant
 * certificate (a bad one stops the start with one line) and talks to WECHAT_API_BASE_URL.
 */
export const setUpWechat = async (
  config: Config,
  { logger, sandbox: tuning = {} }: { logger: Logger; sandbox?: SandboxTuning },
): Promise<WechatSetup> => {
  const common = {
    signType: config.wechat.signType,
    maxRequestsPerSecond: config.wechatMaxRps,
    logger,
  };
  if (config.wechat.mode === 'sandbox') {
    const { certDir = path.join(config.dataDir, 'sandbox'), ...timing } = tuning;
    const sandbox = await startWechatSandbox({
      certDir,
      logger: logger.child({ component: 'wechat-sandbox' }),
      ...timing,
    });
    logger.info(
      { baseUrl: sandbox.baseUrl },
      'WeChat Pay sandbox running in-process (no money moves)',
    );
    const merchant = { appid: sandbox.appid, mchId: sandbox.mchId, apiKey: sandbox.apiKey };
    return {
      merchant,
      baseUrl: sandbox.baseUrl,
      sandbox,
      createClient: (notifyUrl) =>
        createWechatPayClient({
          ...common,
          ...merchant,
          baseUrl: sandbox.baseUrl,
          notifyUrl,
          certificate: sandbox.clientCertificate,
          ca: sandbox.caPem,
        }),
      close: () => sandbox.close(),
    };
  }

  const live = config.wechat;
  let certificate: MerchantCertificate;
  try {
    certificate = loadMerchantCertificate(certificateSource(live.certificate), live.mchId);
  } catch (error) {
    if (error instanceof MerchantCertificateError) throw new StartupError(error.message);
    throw error;
  }
  const merchant = { appid: live.appid, mchId: live.mchId, apiKey: live.apiKey };
  return {
    merchant,
    baseUrl: live.baseUrl,
    createClient: (notifyUrl) =>
      createWechatPayClient({
        ...common,
        ...merchant,
        baseUrl: live.baseUrl,
        notifyUrl,
        certificate,
        ...(live.caPath !== undefined && { caPath: live.caPath }),
      }),
    close: () => Promise.resolve(),
  };
};
