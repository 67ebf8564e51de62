import pino, { type Logger } from 'pino';
import { createRefundNotificationDecoder } from '../../../src/infrastructure/wechat/refundNotificationDecoder.js';
import type { MerchantCertificate } from '../../../src/infrastructure/wechat/merchantCertificate.js';
import { startWechatSandbox, type WechatSandbox } from '../../../src/sandbox/wechatSandbox.js';
import type { SignType } from '../../../src/infrastructure/wechat/sign.js';
import {
  createWechatPayClient,
  type WechatPayClient,
} from '../../../src/infrastructure/wechat/wechatPayClient.js';
import {
  startNotifyReceiver,
  type NotifyReceiver,
} from '../../infrastructure/wechat/support/notifyReceiver.js';

export type SandboxFixture = {
  sandbox: WechatSandbox;
  receiver: NotifyReceiver;
  client: (overrides?: ClientOverrides) => WechatPayClient;
  close: () => Promise<void>;
};

export type ClientOverrides = {
  certificate?: MerchantCertificate;
  signType?: SignType;
  apiKey?: string;
  appid?: string;
  caPath?: string | null;
  timeoutMs?: number;
  maxRequestsPerSecond?: number;
  baseUrl?: string;
  logger?: Logger;
};

/**
 * The real sandbox over TLS on loopback, a notify receiver, and clients wired to both. WeChat's
 * retry schedule runs a thousand times faster (15 s → 15 ms) so retries can be observed.
 */
export const startSandboxFixture = async (certDir: string): Promise<SandboxFixture> => {
  const sandbox = await startWechatSandbox({
    certDir,
    notificationDelayMs: 20,
    retryTimeScale: 0.001,
  });
  const receiver = await startNotifyReceiver(createRefundNotificationDecoder(sandbox));
  const clients: WechatPayClient[] = [];
  const client = (overrides: ClientOverrides = {}): WechatPayClient => {
    const caPath = overrides.caPath === undefined ? sandbox.caPath : overrides.caPath;
    const created = createWechatPayClient({
      baseUrl: overrides.baseUrl ?? sandbox.baseUrl,
      appid: overrides.appid ?? sandbox.appid,
      mchId: sandbox.mchId,
      apiKey: overrides.apiKey ?? sandbox.apiKey,
      signType: overrides.signType ?? 'MD5',
      notifyUrl: receiver.url,
      certificate: overrides.certificate ?? sandbox.clientCertificate,
      ...(caPath !== null && { caPath }),
      ...(overrides.timeoutMs !== undefined && { timeoutMs: overrides.timeoutMs }),
      maxRequestsPerSecond: overrides.maxRequestsPerSecond ?? 0,
      logger: overrides.logger ?? pino({ level: 'silent' }),
    });
    clients.push(created);
    return created;
  };
  return {
    sandbox,
    receiver,
    client,
    close: async () => {
      for (const created of clients) created.close();
      await receiver.close();
      await sandbox.close();
    },
  };
};
