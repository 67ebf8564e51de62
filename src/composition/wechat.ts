import type { Logger } from 'pino';
import type { Clock } from '../application/ports/clock.js';
import type { Config } from '../infrastructure/config/config.js';
import { setUpLiveWechat, type WechatSetup } from '../infrastructure/wechat/wechatSetup.js';
import { setUpSandboxWechat, type SandboxTuning } from '../sandbox/sandboxWechatSetup.js';
import type { WechatSandbox } from '../sandbox/wechatSandbox.js';

/** WeChat Pay as WECHAT_MODE says: the live API, or the simulator started in this process. */
export const setUpWechat = async (
  config: Config,
  { log, clock, sandbox }: { log: Logger; clock: Clock; sandbox: SandboxTuning | undefined },
): Promise<WechatSetup & { sandbox?: WechatSandbox }> =>
  config.wechat.mode === 'live'
    ? setUpLiveWechat(config, config.wechat, { logger: log, clock })
    : await setUpSandboxWechat(config, { logger: log, clock, ...(sandbox && { sandbox }) });
