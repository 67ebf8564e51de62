import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/infrastructure/config/config.js';

const problemsOf = (env: NodeJS.ProcessEnv): string[] => {
  const result = loadConfig(env);
  if (result.ok) throw new Error('expected configuration problems');
  return result.problems;
};

describe('configuration', () => {
  it('given no variables, then the defaults of DESIGN §4', () => {
    expect(loadConfig({})).toEqual({
      ok: true,
      config: {
        host: '127.0.0.1',
        port: 3000,
        apiTokens: [],
        dataDir: './data',
        eventStore: { kind: 'sqlite' },
        readStore: { kind: 'sqlite' },
        wechat: { mode: 'sandbox', signType: 'MD5', apiVersion: 'v2' },
        wechatMaxRps: 100,
        gatewayRetryBaseMs: 1000,
        reconcileAfterSeconds: 600,
        reconcileIntervalSeconds: 60,
        logLevel: 'info',
      },
    });
  });

  it('given empty variables, then they count as unset', () => {
    expect(loadConfig({ PORT: '', API_TOKENS: '' })).toMatchObject({
      ok: true,
      config: { port: 3000, apiTokens: [] },
    });
  });

  it('given comma-separated tokens, then each is trimmed', () => {
    expect(loadConfig({ API_TOKENS: ' a-token , b-token,,' })).toMatchObject({
      ok: true,
      config: { apiTokens: ['a-token', 'b-token'] },
    });
  });

  it('given several bad values, then one line per problem naming the variable', () => {
    const problems = problemsOf({
      PORT: 'eighty',
      LOG_LEVEL: 'loud',
      EVENT_STORE: 'postgres',
      WECHAT_MAX_RPS: '-1',
    });

    expect(problems).toHaveLength(4);
    expect(problems.find((p) => p.startsWith('PORT:'))).toContain('"eighty"');
    expect(problems.some((p) => p.startsWith('LOG_LEVEL:'))).toBe(true);
    expect(problems.some((p) => p.startsWith('EVENT_STORE:'))).toBe(true);
    expect(problems.some((p) => p.startsWith('WECHAT_MAX_RPS:'))).toBe(true);
  });

  it('given a non-loopback HOST without tokens, then the start is refused', () => {
    expect(problemsOf({ HOST: '0.0.0.0' })).toEqual([
      expect.stringMatching(/^API_TOKENS: required/),
    ]);
    expect(loadConfig({ HOST: '0.0.0.0', API_TOKENS: 'secret-token-1' }).ok).toBe(true);
    expect(loadConfig({ HOST: '::1' }).ok).toBe(true);
    expect(loadConfig({ HOST: 'localhost' }).ok).toBe(true);
  });

  it('given a bad secret, then the problem never repeats its value', () => {
    const problems = problemsOf({ WECHAT_MODE: 'live', WECHAT_API_KEY: 'short-secret-value' });

    expect(problems.join('\n')).toContain('WECHAT_API_KEY');
    expect(problems.join('\n')).not.toContain('short-secret-value');
  });

  it('given live mode without the merchant settings, then each missing one is named', () => {
    const problems = problemsOf({ WECHAT_MODE: 'live' });

    for (const name of [
      'WECHAT_APPID',
      'WECHAT_MCH_ID',
      'WECHAT_API_KEY',
      'WECHAT_CERT_P12_PATH',
    ]) {
      expect(
        problems.some((p) => p.startsWith(`${name}:`)),
        name,
      ).toBe(true);
    }
  });

  it('given live mode with a .p12 and no password, then the password defaults to the mch_id', () => {
    const result = loadConfig({
      WECHAT_MODE: 'live',
      WECHAT_APPID: 'wxd930ea5d5a258f4f',
      WECHAT_MCH_ID: '1900000109',
      WECHAT_API_KEY: '192006250b4c09247ec02edce69f6a2d',
      WECHAT_CERT_P12_PATH: '/etc/wechat/apiclient_cert.p12',
      WECHAT_SIGN_TYPE: 'HMAC-SHA256',
    });

    expect(result).toMatchObject({
      ok: true,
      config: {
        wechat: {
          mode: 'live',
          signType: 'HMAC-SHA256',
          baseUrl: 'https://api.mch.weixin.qq.com',
          certificate: {
            kind: 'p12',
            path: '/etc/wechat/apiclient_cert.p12',
            password: '1900000109',
          },
        },
      },
    });
  });

  it('given esdb or mongo without their connection settings, then the start is refused', () => {
    expect(problemsOf({ EVENT_STORE: 'esdb' })).toEqual([
      expect.stringMatching(/^ESDB_CONNECTION_STRING:/),
    ]);
    expect(problemsOf({ READ_STORE: 'mongo' })).toEqual([expect.stringMatching(/^MONGO_URL:/)]);
  });

  it('given a PUBLIC_BASE_URL, then it is kept without a trailing slash', () => {
    expect(loadConfig({ PUBLIC_BASE_URL: 'https://refunds.example.com/' })).toMatchObject({
      ok: true,
      config: { publicBaseUrl: 'https://refunds.example.com' },
    });
  });

  it('given a PUBLIC_BASE_URL with a query string, then it is refused (WeChat refuses such a notify_url)', () => {
    expect(problemsOf({ PUBLIC_BASE_URL: 'https://refunds.example.com/?x=1' })).toEqual([
      expect.stringMatching(/^PUBLIC_BASE_URL:/),
    ]);
  });
});
