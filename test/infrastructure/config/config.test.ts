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
        notEnoughRetryMs: [],
        orderRefundSpacingSeconds: 60,
        webhooks: {
          retryScheduleMs: [5, 300, 1800, 7200, 18000, 36000, 50400, 72000, 86400].map(
            (seconds) => seconds * 1000,
          ),
          timeoutMs: 15000,
          allowPrivateUrls: true,
        },
        billReconcileMinutes: 10 * 60 + 30,
        logLevel: 'info',
      },
    });
  });

  it('given BILL_RECONCILE_TIME, then the daily bill run at that China time; empty turns it off; anything else is refused', () => {
    expect(loadConfig({ BILL_RECONCILE_TIME: '09:05' })).toMatchObject({
      config: { billReconcileMinutes: 9 * 60 + 5 },
    });
    const off = loadConfig({ BILL_RECONCILE_TIME: '' });
    expect(off).toMatchObject({ ok: true });
    expect(off.ok && off.config.billReconcileMinutes).toBeUndefined();
    for (const wrong of ['24:00', '9:30', '10:30:00', 'noon']) {
      expect(loadConfig({ BILL_RECONCILE_TIME: wrong })).toEqual({
        ok: false,
        problems: [
          `BILL_RECONCILE_TIME: must be a time HH:MM (China time), or empty for off (got "${wrong}")`,
        ],
      });
    }
  });

  it('given the WEBHOOK_* variables, then the schedule in ms, the timeout, and private URLs refused by default in live mode', () => {
    expect(
      loadConfig({ WEBHOOK_RETRY_SCHEDULE_SECONDS: '0.2, 1,30', WEBHOOK_TIMEOUT_MS: '500' }),
    ).toMatchObject({
      ok: true,
      config: {
        webhooks: { retryScheduleMs: [200, 1000, 30000], timeoutMs: 500, allowPrivateUrls: true },
      },
    });
    expect(loadConfig({ WEBHOOK_ALLOW_PRIVATE_URLS: 'false' })).toMatchObject({
      config: { webhooks: { allowPrivateUrls: false } },
    });
    const live = {
      WECHAT_MODE: 'live',
      WECHAT_APPID: 'wxd930ea5d5a258f4f',
      WECHAT_MCH_ID: '1900000109',
      WECHAT_API_KEY: '192006250b4c09247ec02edce69f6a2d',
      WECHAT_CERT_P12_PATH: '/etc/wechat/apiclient_cert.p12',
    };
    expect(loadConfig(live)).toMatchObject({ config: { webhooks: { allowPrivateUrls: false } } });
    expect(loadConfig({ ...live, WEBHOOK_ALLOW_PRIVATE_URLS: 'true' })).toMatchObject({
      config: { webhooks: { allowPrivateUrls: true } },
    });
    const problems = loadConfig({
      WEBHOOK_RETRY_SCHEDULE_SECONDS: '5,,300',
      WEBHOOK_TIMEOUT_MS: '0',
      WEBHOOK_ALLOW_PRIVATE_URLS: 'yes',
    });
    expect(problems.ok || problems.problems.map((p) => p.split(':')[0])).toEqual([
      'WEBHOOK_RETRY_SCHEDULE_SECONDS',
      'WEBHOOK_TIMEOUT_MS',
      'WEBHOOK_ALLOW_PRIVATE_URLS',
    ]);
  });

  it('given the money-safety variables, then the default funds account (v3 spelling too), the NOTENOUGH schedule in ms, the spacing, and the former API key kept secret', () => {
    expect(
      loadConfig({
        WECHAT_REFUND_ACCOUNT: 'REFUND_SOURCE_RECHARGE_FUNDS',
        NOTENOUGH_RETRY_SECONDS: '600, 3600,21600',
        ORDER_REFUND_SPACING_SECONDS: '0',
        WECHAT_API_KEY_PREVIOUS: 'b'.repeat(32),
      }),
    ).toMatchObject({
      ok: true,
      config: {
        refundAccount: 'REFUND_SOURCE_RECHARGE_FUNDS',
        notEnoughRetryMs: [600_000, 3_600_000, 21_600_000],
        orderRefundSpacingSeconds: 0,
        wechat: { apiKeyPrevious: 'b'.repeat(32) },
      },
    });
    expect(loadConfig({ WECHAT_REFUND_ACCOUNT: 'AVAILABLE' })).toMatchObject({
      config: { refundAccount: 'REFUND_SOURCE_RECHARGE_FUNDS' },
    });
  });

  it.each([
    ['NOTENOUGH_RETRY_SECONDS', '600,,3600', 'must be comma-separated delays in seconds'],
    ['NOTENOUGH_RETRY_SECONDS', '10m', 'must be comma-separated delays in seconds'],
    ['NOTENOUGH_RETRY_SECONDS', '-5', 'must be comma-separated delays in seconds'],
    ['ORDER_REFUND_SPACING_SECONDS', 'a minute', ''],
    ['ORDER_REFUND_SPACING_SECONDS', '-1', ''],
    ['ORDER_REFUND_SPACING_SECONDS', '1.5', ''],
    [
      'WECHAT_REFUND_ACCOUNT',
      'REFUND_SOURCE_BASIC_FUNDS',
      'must be REFUND_SOURCE_UNSETTLED_FUNDS or REFUND_SOURCE_RECHARGE_FUNDS',
    ],
  ])('given %s=%s, then the start is refused with one line naming it', (name, value, message) => {
    const problems = problemsOf({ [name]: value });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(new RegExp(`^${name}: `));
    expect(problems[0]).toContain(message);
  });

  it('given a malformed former API key, then one line that does not repeat it', () => {
    const problems = problemsOf({ WECHAT_API_KEY_PREVIOUS: 'short-secret' });
    expect(problems).toEqual([
      'WECHAT_API_KEY_PREVIOUS: must be the former 32-character API v2 key',
    ]);
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

  it('given a bad value and a setting another one requires, then both are reported at once', () => {
    expect(problemsOf({ PORT: 'x', HOST: '0.0.0.0' })).toEqual([
      expect.stringMatching(/^PORT: must be a whole number/),
      expect.stringMatching(/^API_TOKENS: required when HOST is not a loopback address/),
    ]);
    expect(problemsOf({ LOG_LEVEL: 'loud', EVENT_STORE: 'esdb', READ_STORE: 'mongo' })).toEqual([
      expect.stringMatching(/^LOG_LEVEL:/),
      'ESDB_CONNECTION_STRING: required when EVENT_STORE is esdb',
      'MONGO_URL: required when READ_STORE is mongo',
    ]);
  });

  it('given a variable that is both invalid and required by another, then it is reported once', () => {
    const problems = problemsOf({ EVENT_STORE: 'esdb', ESDB_CONNECTION_STRING: 'http://x' });

    expect(problems).toEqual([expect.stringMatching(/^ESDB_CONNECTION_STRING: must start with/)]);
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

  it('given connection strings that cannot be used, then each problem is named without repeating any of the string', () => {
    const secret = 'pa/ss#wo?rd';
    const cases: [NodeJS.ProcessEnv, RegExp][] = [
      // The scheme check of the variable itself used to echo the whole value.
      [
        { EVENT_STORE: 'esdb', ESDB_CONNECTION_STRING: `http://admin:${secret}@es:2113` },
        /esdb:\/\//,
      ],
      [{ READ_STORE: 'mongo', MONGO_URL: `postgres://admin:${secret}@db` }, /mongodb:\/\//],
      // Options the EventStoreDB client would print the whole string to the console for.
      [
        { EVENT_STORE: 'esdb', ESDB_CONNECTION_STRING: `esdb://admin:${secret}@es:2113?tsl=false` },
        /unknown option "tsl"/,
      ],
      [
        {
          EVENT_STORE: 'esdb',
          ESDB_CONNECTION_STRING: `esdb://admin:${secret}@es:2113?tlsVerifyCert=false`,
        },
        /tlsCAFile/,
      ],
      // An option the adapter relies on.
      [
        {
          EVENT_STORE: 'esdb',
          ESDB_CONNECTION_STRING: `esdb://admin:${secret}@es:2113?throwOnAppendFailure=false`,
        },
        /throwOnAppendFailure=false is not supported/,
      ],
      [
        { EVENT_STORE: 'esdb', ESDB_CONNECTION_STRING: `esdb://admin:${secret}@es:notaport` },
        /host\[:port\]/,
      ],
      // The driver names the user in this one; it must not be repeated.
      [
        { READ_STORE: 'mongo', MONGO_URL: `mongodb://ad/min:${secret}@db:27017/` },
        /not a valid MongoDB URL: details withheld/,
      ],
      [{ READ_STORE: 'mongo', MONGO_URL: `mongodb://admin:${secret}@db:27017/` }, /MONGO_URL/],
    ];
    for (const [env, expected] of cases) {
      const problems = problemsOf(env).join('\n');
      expect(problems, JSON.stringify(env)).toMatch(expected);
      for (const part of ['admin', 'ad/min', secret, 'pa/ss', 'wo?rd', 'ss#wo']) {
        expect(problems, JSON.stringify(env)).not.toContain(part);
      }
    }
  });

  it('given usable connection strings with credentials, then they are accepted as they are', () => {
    const result = loadConfig({
      EVENT_STORE: 'esdb',
      ESDB_CONNECTION_STRING: 'esdb://admin:pa/ss#wo?rd@node1:2113,node2:2113?tls=true',
      READ_STORE: 'mongo',
      MONGO_URL: 'mongodb://reader:pa%2Fss%23wo%3Frd@db:27017/?replicaSet=rs0',
    });

    expect(result).toMatchObject({
      ok: true,
      config: {
        eventStore: {
          kind: 'esdb',
          connectionString: 'esdb://admin:pa/ss#wo?rd@node1:2113,node2:2113?tls=true',
        },
        readStore: {
          kind: 'mongo',
          url: 'mongodb://reader:pa%2Fss%23wo%3Frd@db:27017/?replicaSet=rs0',
        },
      },
    });
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

describe('configuration of API v3', () => {
  const live = {
    WECHAT_MODE: 'live',
    WECHAT_APPID: 'wxd930ea5d5a258f4f',
    WECHAT_MCH_ID: '1900000109',
    WECHAT_API_KEY: '192006250b4c09247ec02edce69f6a2d',
    WECHAT_CERT_PEM_PATH: '/etc/wechat/apiclient_cert.pem',
    WECHAT_KEY_PEM_PATH: '/etc/wechat/apiclient_key.pem',
  };

  it('given WECHAT_API_VERSION=v3 with its variables, then the v3 settings, the former key and the public key included', () => {
    expect(
      loadConfig({
        ...live,
        WECHAT_API_VERSION: 'v3',
        WECHAT_API_V3_KEY: 'a7cde1ZJB1kG2e7VfTs3jQzaWizur8Gb',
        WECHAT_API_V3_KEY_PREVIOUS: '0123456789abcdef0123456789abcdef',
        WECHAT_MERCHANT_SERIAL_NO: '444F4864EA9B34415C0F0D3AEB0F10C4A6F0B2B1',
        WECHAT_PLATFORM_PUBLIC_KEY_PATH: '/etc/wechat/pub_key.pem',
        WECHAT_PLATFORM_PUBLIC_KEY_ID: 'PUB_KEY_ID_0119000001092025010100000000',
      }),
    ).toMatchObject({
      ok: true,
      config: {
        wechat: {
          mode: 'live',
          apiVersion: 'v3',
          v3: {
            apiV3Key: 'a7cde1ZJB1kG2e7VfTs3jQzaWizur8Gb',
            apiV3KeyPrevious: '0123456789abcdef0123456789abcdef',
            merchantSerialNo: '444F4864EA9B34415C0F0D3AEB0F10C4A6F0B2B1',
            platformPublicKey: {
              path: '/etc/wechat/pub_key.pem',
              id: 'PUB_KEY_ID_0119000001092025010100000000',
            },
          },
        },
      },
    });
  });

  it('given v3 without its key and serial, then one line each', () => {
    expect(problemsOf({ ...live, WECHAT_API_VERSION: 'v3' })).toEqual([
      'WECHAT_API_V3_KEY: required when WECHAT_API_VERSION is v3',
      'WECHAT_MERCHANT_SERIAL_NO: required when WECHAT_API_VERSION is v3',
    ]);
  });

  it('given malformed v3 values, then one line each, and the keys are never echoed', () => {
    const problems = problemsOf({
      ...live,
      WECHAT_API_VERSION: 'v4',
      WECHAT_API_V3_KEY: 'too-short-secret',
      WECHAT_API_V3_KEY_PREVIOUS: 'another-short-secret',
      WECHAT_MERCHANT_SERIAL_NO: 'not-hex!',
      WECHAT_PLATFORM_PUBLIC_KEY_ID: 'my-key',
    });
    expect(problems).toEqual([
      expect.stringMatching(/^WECHAT_API_VERSION:/),
      'WECHAT_API_V3_KEY: must be the 32-byte APIv3 key',
      'WECHAT_API_V3_KEY_PREVIOUS: must be the 32-byte APIv3 key',
      expect.stringMatching(/^WECHAT_MERCHANT_SERIAL_NO: must be the serial number/),
      expect.stringMatching(/^WECHAT_PLATFORM_PUBLIC_KEY_ID: must be the id WeChat shows/),
    ]);
    expect(problems.join('\n')).not.toContain('secret');
  });

  it('given a public key path without its id, then the start is refused', () => {
    expect(
      problemsOf({
        ...live,
        WECHAT_API_VERSION: 'v3',
        WECHAT_API_V3_KEY: 'a7cde1ZJB1kG2e7VfTs3jQzaWizur8Gb',
        WECHAT_MERCHANT_SERIAL_NO: '444F4864',
        WECHAT_PLATFORM_PUBLIC_KEY_PATH: '/etc/wechat/pub_key.pem',
      }),
    ).toEqual([expect.stringMatching(/^WECHAT_PLATFORM_PUBLIC_KEY_ID: .* go together$/)]);
  });

  it('given sandbox mode, then v3 needs no other setting', () => {
    expect(loadConfig({ WECHAT_API_VERSION: 'v3' })).toMatchObject({
      ok: true,
      config: { wechat: { mode: 'sandbox', apiVersion: 'v3' } },
    });
  });
});
