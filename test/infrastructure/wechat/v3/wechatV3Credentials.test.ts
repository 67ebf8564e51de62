import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StartupError } from '../../../../src/infrastructure/config/startupError.js';
import { setUpLiveWechat } from '../../../../src/infrastructure/wechat/wechatSetup.js';
import { startWechatSandbox, type WechatSandbox } from '../../../../src/sandbox/wechatSandbox.js';
import { makeTempDir, testConfig } from '../../../support/fixtures.js';

const temp = makeTempDir('wechat-v3-credentials-');
let sandbox: WechatSandbox;
beforeAll(async () => {
  sandbox = await startWechatSandbox({ certDir: path.join(temp.dir, 'certs') });
});
afterAll(async () => {
  await sandbox.close();
  temp.remove();
});

const setUp = (env: NodeJS.ProcessEnv) => {
  const config = testConfig({
    DATA_DIR: temp.dir,
    WECHAT_MODE: 'live',
    WECHAT_API_BASE_URL: sandbox.baseUrl,
    WECHAT_APPID: sandbox.appid,
    WECHAT_MCH_ID: sandbox.mchId,
    WECHAT_API_KEY: sandbox.apiKey,
    WECHAT_CERT_PEM_PATH: path.join(sandbox.certDir, 'apiclient_cert.pem'),
    WECHAT_KEY_PEM_PATH: path.join(sandbox.certDir, 'apiclient_key.pem'),
    WECHAT_API_VERSION: 'v3',
    WECHAT_API_V3_KEY: sandbox.apiV3Key,
    WECHAT_MERCHANT_SERIAL_NO: sandbox.merchantSerialNo,
    WECHAT_PLATFORM_PUBLIC_KEY_PATH: sandbox.platformPublicKeyPath,
    WECHAT_PLATFORM_PUBLIC_KEY_ID: sandbox.platformPublicKeyId,
    ...env,
  });
  if (config.wechat.mode !== 'live') throw new Error('live mode expected');
  return setUpLiveWechat(config, config.wechat, { logger: pino({ level: 'silent' }) });
};
const startupLines = (env: NodeJS.ProcessEnv): string[] => {
  try {
    void setUp(env).close();
  } catch (error) {
    if (error instanceof StartupError) return error.message.split('\n');
    throw error;
  }
  throw new Error('expected a StartupError');
};

describe('API v3 credentials at start', () => {
  it('given the files of refunds sandbox, then v3 is set up', async () => {
    const wechat = setUp({});
    expect(wechat.apiVersion).toBe('v3');
    expect(wechat.v3).toBeDefined();
    await wechat.close();
  });

  it("given a serial that is not the merchant certificate's, a public key that is not RSA and one that cannot be read, then one clear line each", () => {
    const ecKey = path.join(temp.dir, 'ec_public_key.pem');
    writeFileSync(
      ecKey,
      generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey.export({
        type: 'spki',
        format: 'pem',
      }),
    );
    expect(
      startupLines({
        WECHAT_MERCHANT_SERIAL_NO: '0123ABCD',
        WECHAT_PLATFORM_PUBLIC_KEY_PATH: ecKey,
      }),
    ).toEqual([
      expect.stringMatching(
        /^WECHAT_MERCHANT_SERIAL_NO: 0123ABCD is not the serial number of the merchant certificate/,
      ),
      `WECHAT_PLATFORM_PUBLIC_KEY_PATH: ${ecKey} is not an RSA public key`,
    ]);
    const missing = path.join(temp.dir, 'nowhere.pem');
    expect(startupLines({ WECHAT_PLATFORM_PUBLIC_KEY_PATH: missing })).toEqual([
      `WECHAT_PLATFORM_PUBLIC_KEY_PATH: cannot read ${missing} (ENOENT)`,
    ]);
    const notAKey = path.join(sandbox.certDir, 'sandbox.json');
    expect(startupLines({ WECHAT_PLATFORM_PUBLIC_KEY_PATH: notAKey })).toEqual([
      `WECHAT_PLATFORM_PUBLIC_KEY_PATH: ${notAKey} is not a PEM public key`,
    ]);
  });

  it("given a private key that is not the certificate's, then the start is refused before any v3 check", () => {
    const otherKey = path.join(temp.dir, 'other_key.pem');
    writeFileSync(
      otherKey,
      generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({
        type: 'pkcs8',
        format: 'pem',
      }),
    );
    expect(startupLines({ WECHAT_KEY_PEM_PATH: otherKey })).toEqual([
      expect.stringMatching(/private key does not match/),
    ]);
  });
});
