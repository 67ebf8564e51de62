import path from 'node:path';
import type { Writable } from 'node:stream';
import type { Logger } from 'pino';
import { startWechatSandbox, type WechatSandbox } from './wechatSandbox.js';

export type RunSandboxCommandOptions = {
  port?: number;
  certDir: string;
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
  stdout,
  logger,
}: RunSandboxCommandOptions): Promise<WechatSandbox> => {
  const sandbox = await startWechatSandbox({
    certDir: path.resolve(certDir),
    ...(port !== undefined && { port }),
    logger,
  });
  const { baseUrl, appid, mchId, apiKey, caPath } = sandbox;
  const { apiV3Key, merchantSerialNo, platformPublicKeyId } = sandbox;
  const line = { baseUrl, appid, mchId, apiKey, caPath, certDir: sandbox.certDir };
  stdout.write(`${JSON.stringify({ ...line, apiV3Key, merchantSerialNo, platformPublicKeyId })}\n`);
  logger.info({ baseUrl, certDir: sandbox.certDir }, 'WeChat Pay sandbox listening');
  return sandbox;
};
