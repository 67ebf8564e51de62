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
});

export type RunSandboxCommandOptions = {
  port?: number;
  certDir: string;
  stdout: Writable;
  logger: Logger;
};

/**
 * `refunds sandbox [--port N] [--certs DIR]` (DESIGN §7): starts the simulator, and once it
 * listens prints one JSON line that any WeChat Pay SDK can be configured from. The API key is
 * printed on purpose: it is the sandbox's own, generated key, useless anywhere else.
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
  const line: z.infer<typeof sandboxLineSchema> = {
    baseUrl,
    appid,
    mchId,
    apiKey,
    caPath,
    certDir: sandbox.certDir,
  };
  stdout.write(`${JSON.stringify(line)}\n`);
  logger.info({ baseUrl, certDir: sandbox.certDir }, 'WeChat Pay sandbox listening');
  return sandbox;
};
