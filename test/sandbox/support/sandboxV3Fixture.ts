import { createPrivateKey, createPublicKey } from 'node:crypto';
import path from 'node:path';
import pino from 'pino';
import { systemClock, type Clock } from '../../../src/application/ports/clock.js';
import type { RefundReport } from '../../../src/application/refundReport.js';
import type { WechatPayClient } from '../../../src/infrastructure/wechat/wechatPayClient.js';
import {
  setUpWechatV3,
  type WechatV3,
  type WechatV3Credentials,
} from '../../../src/infrastructure/wechat/v3/wechatV3Setup.js';
import { startWechatSandbox, type WechatSandbox } from '../../../src/sandbox/wechatSandbox.js';
import {
  startNotifyReceiver,
  type NotifyReceiver,
} from '../../infrastructure/wechat/support/notifyReceiver.js';
import { makeTempDir } from '../../support/fixtures.js';

export type V3Overrides = Partial<WechatV3Credentials> & {
  /** Verify with platform certificates only (no public key configured). */
  withoutPublicKey?: boolean;
  clock?: Clock;
};

export type SandboxV3Fixture = {
  sandbox: WechatSandbox;
  receiver: NotifyReceiver<RefundReport>;
  /** The sandbox merchant's v3 credentials, as a merchant would configure them. */
  credentials: (overrides?: V3Overrides) => WechatV3Credentials;
  setUp: (overrides?: V3Overrides) => WechatV3;
  client: (overrides?: V3Overrides) => WechatPayClient;
  close: () => Promise<void>;
};

/**
 * The real sandbox over TLS, a v3 notify receiver whose decoder verifies with the sandbox's keys,
 * and v3 clients wired to both. Each setup keeps its platform certificates in a fresh directory.
 */
export const startSandboxV3Fixture = async (certDir: string): Promise<SandboxV3Fixture> => {
  const sandbox = await startWechatSandbox({
    certDir,
    notificationDelayMs: 20,
    retryTimeScale: 0.001,
  });
  const temp = makeTempDir('wechat-v3-');
  let setups = 0;
  const opened: { close: () => void }[] = [];
  const credentials = ({ withoutPublicKey, clock: _clock, ...overrides }: V3Overrides = {}) => ({
    baseUrl: sandbox.baseUrl,
    mchId: sandbox.mchId,
    merchantSerialNo: sandbox.merchantSerialNo,
    privateKey: createPrivateKey(sandbox.clientCertificate.keyPem),
    apiV3Keys: [sandbox.apiV3Key],
    ...(!withoutPublicKey && {
      publicKey: {
        id: sandbox.platformPublicKeyId,
        key: createPublicKey(sandbox.platformPublicKeyPem),
      },
    }),
    certificateCacheFile: path.join(temp.dir, `setup-${++setups}`, 'platform_certificates.json'),
    ca: sandbox.caPem,
    maxRequestsPerSecond: 0,
    ...overrides,
  });
  const setUp = (overrides: V3Overrides = {}) => {
    const setup = setUpWechatV3(credentials(overrides), {
      logger: pino({ level: 'silent' }),
      clock: overrides.clock ?? systemClock,
    });
    opened.push(setup);
    return setup;
  };
  const receiverSetup = setUp();
  const receiver = await startNotifyReceiver(
    (body, headers) => receiverSetup.decode(headers, body),
    {
      api: 'v3',
    },
  );
  return {
    sandbox,
    receiver,
    credentials,
    setUp,
    client: (overrides = {}) => {
      const client = setUp(overrides).createClient(receiver.url);
      opened.push(client);
      return client;
    },
    close: async () => {
      for (const part of opened) part.close();
      await receiver.close();
      await sandbox.close();
      temp.remove();
    },
  };
};
