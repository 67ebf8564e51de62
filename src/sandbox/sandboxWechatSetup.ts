import path from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../infrastructure/config/config.js';
import { createWechatPayClient } from '../infrastructure/wechat/wechatPayClient.js';
import {
  clientOptions,
  merchantOf,
  type WechatSetup,
} from '../infrastructure/wechat/wechatSetup.js';
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
  { logger, sandbox: tuning = {} }: { logger: Logger; sandbox?: SandboxTuning },
): Promise<WechatSetup & { sandbox: WechatSandbox }> => {
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
  return {
    merchant: merchantOf(identity, config.wechat),
    baseUrl: sandbox.baseUrl,
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
    close: () => sandbox.close(),
  };
};
