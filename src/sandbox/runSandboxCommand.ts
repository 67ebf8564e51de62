import path from 'node:path';
import type { Writable } from 'node:stream';
import type { Logger } from 'pino';
import { z } from 'zod';
import { startWechatSandbox, type WechatSandbox } from './wechatSandbox.js';

/** The line `refunds sandbox` prints once it listens: what a client is configured from. */
export const sandboxLineSchema = z.object({
  baseUrl: z.string(),
  appid: z.string(),
  mchId: z.string(),
  apiKey: z.string(),
  caPath: z.string(),
  certDir: z.string(),
  apiV3Key: z.string(),
  merchantSerialNo: z.string(),
  platformPublicKeyId: z.string(),
});

export type SandboxLine = z.infer<typeof sandboxLineSchema>;

/**
 * The configuration that points this service at a sandbox it does not run itself, in live mode
 * as it would the real API (docs/sandbox.md): its URL, merchant, certificate and CA.
 */
export const liveWechatEnvOf = (line: SandboxLine, api: 'v2' | 'v3' = 'v2'): NodeJS.ProcessEnv => ({
  WECHAT_MODE: 'live',
  WECHAT_API_BASE_URL: line.baseUrl,
  WECHAT_APPID: line.appid,
  WECHAT_MCH_ID: line.mchId,
  WECHAT_API_KEY: line.apiKey,
  WECHAT_CERT_P12_PATH: path.join(line.certDir, 'apiclient_cert.p12'),
  WECHAT_CA_PATH: line.caPath,
  ...(api === 'v3' && {
    WECHAT_API_VERSION: 'v3',
    WECHAT_API_V3_KEY: line.apiV3Key,
    WECHAT_MERCHANT_SERIAL_NO: line.merchantSerialNo,
    WECHAT_PLATFORM_PUBLIC_KEY_PATH: path.join(line.certDir, 'wechatpay_public_key.pem'),
    WECHAT_PLATFORM_PUBLIC_KEY_ID: line.platformPublicKeyId,
  }),
});

export type RunSandboxCommandOptions = {
  port?: number;
  certDir: string;
  /** WeChat's rate limit as the sandbox plays it (`--max-rps`); 0 or absent: none. */
  maxRequestsPerSecond?: number;
  stdout: Writable;
  logger: Logger;
};

/**
 * `refunds sandbox [--port N] [--certs DIR]` (DESIGN §7): starts the simulator, and once it
 * listens prints one JSON line that any WeChat Pay SDK, v2 or v3, can be configured from. The API
 * keys are printed on purpose: they are the sandbox's own, generated keys, useless anywhere else.
 */
export const runSandboxCommand = async ({
  port,
  certDir,
  maxRequestsPerSecond,
  stdout,
  logger,
}: RunSandboxCommandOptions): Promise<WechatSandbox> => {
  const sandbox = await startWechatSandbox({
    certDir: path.resolve(certDir),
    ...(port !== undefined && { port }),
    ...(maxRequestsPerSecond !== undefined && { maxRequestsPerSecond }),
    logger,
  });
  const { baseUrl, appid, mchId, apiKey, caPath } = sandbox;
  const { apiV3Key, merchantSerialNo, platformPublicKeyId } = sandbox;
  const line: SandboxLine = {
    baseUrl,
    appid,
    mchId,
    apiKey,
    caPath,
    certDir: sandbox.certDir,
    apiV3Key,
    merchantSerialNo,
    platformPublicKeyId,
  };
  stdout.write(`${JSON.stringify(line)}\n`);
  logger.info({ baseUrl, certDir: sandbox.certDir }, 'WeChat Pay sandbox listening');
  return sandbox;
};
