import { createPrivateKey, createPublicKey } from 'node:crypto';
import path from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../infrastructure/config/config.js';
import { createWechatPayClient } from '../infrastructure/wechat/wechatPayClient.js';
import {
  clientOptions,
  merchantOf,
  type WechatSetup,
} from '../infrastructure/wechat/wechatSetup.js';
import { platformCertificateCacheFile } from '../infrastructure/wechat/v3/wechatV3Credentials.js';
import { setUpWechatV3, type WechatV3 } from '../infrastructure/wechat/v3/wechatV3Setup.js';
import { startWechatSandbox, type WechatSandbox } from './wechatSandbox.js';

export type SandboxTuning = {
  notificationDelayMs?: number;
  retryTimeScale?: number;
  /** Where the simulator keeps its certificates; default DATA_DIR/sandbox. */
  certDir?: string;
};

/**
 * Sandbox mode (the default): the WeChat Pay simulator runs in this process, on a free loopback
 * port with its own CA and merchant, so no money can move.
 */
export const setUpSandboxWechat = async (
  config: Config,
  {
    logger,
    clock = { now: () => new Date() },
    sandbox: tuning = {},
  }: { logger: Logger; clock?: { now(): Date }; sandbox?: SandboxTuning },
): Promise<WechatSetup & { sandbox: WechatSandbox; v3: WechatV3 }> => {
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
  const identity = { appid: sandbox.appid, mchId: sandbox.mchId, apiKey: sandbox.apiKey };
  // v3 as a merchant in the middle of the move to WeChat Pay's public key configures it: the
  // public key and downloaded platform certificates, so that both verification paths run.
  const v3 = setUpWechatV3(
    {
      baseUrl: sandbox.baseUrl,
      mchId: sandbox.mchId,
      merchantSerialNo: sandbox.merchantSerialNo,
      privateKey: createPrivateKey(sandbox.clientCertificate.keyPem),
      apiV3Keys: [sandbox.apiV3Key],
      publicKey: {
        id: sandbox.platformPublicKeyId,
        key: createPublicKey(sandbox.platformPublicKeyPem),
      },
      certificateCacheFile: platformCertificateCacheFile(config.dataDir),
      ca: sandbox.caPem,
      maxRequestsPerSecond: config.wechatMaxRps,
    },
    { logger, clock },
  );
  return {
    merchant: merchantOf(identity, config.wechat),
    baseUrl: sandbox.baseUrl,
    apiVersion: config.wechat.apiVersion,
    v3,
    sandbox,
    createClient: (notifyUrl) =>
      createWechatPayClient({
        ...clientOptions(config, logger),
        ...identity,
        baseUrl: sandbox.baseUrl,
        notifyUrl,
        certificate: sandbox.clientCertificate,
        ca: sandbox.caPem,
      }),
    close: async () => {
      v3.close();
      await sandbox.close();
    },
  };
};
