import { isIP } from 'node:net';
import { z } from 'zod';
import { refundAccounts, type RefundAccount } from '../../domain/index.js';
import { esdbConnectionProblems } from '../esdb/esdbConnection.js';
import { mongoUrlProblems } from '../mongo/mongoConnection.js';

export type WechatCertificateSource =
  | { kind: 'p12'; path: string; password: string }
  | { kind: 'pem'; certPath: string; keyPath: string };

/** API v3's own settings (DESIGN §4); the private key is the merchant certificate's. */
export type WechatV3Config = {
  apiV3Key: string;
  apiV3KeyPrevious?: string;
  merchantSerialNo: string;
  /** WeChat Pay's public key; without it only downloaded platform certificates verify. */
  platformPublicKey?: { path: string; id: string };
};

export type WechatApiVersion = 'v2' | 'v3';

export type WechatConfig =
  | {
      mode: 'sandbox';
      signType: SignType;
      apiVersion: WechatApiVersion;
      /** WECHAT_API_KEY_PREVIOUS: still decrypts notifications while the key is rotated. */
      apiKeyPrevious?: string;
    }
  | {
      mode: 'live';
      signType: SignType;
      /** Which API sends and queries refunds; both notification routes stay mounted. */
      apiVersion: WechatApiVersion;
      /** WECHAT_API_KEY_PREVIOUS: still decrypts notifications while the key is rotated. */
      apiKeyPrevious?: string;
      baseUrl: string;
      appid: string;
      mchId: string;
      apiKey: string;
      certificate: WechatCertificateSource;
      caPath?: string;
      /** Present when the v3 variables are set (required with WECHAT_API_VERSION=v3). */
      v3?: WechatV3Config;
    };

export type SignType = 'MD5' | 'HMAC-SHA256';

export type Config = {
  host: string;
  port: number;
  apiTokens: string[];
  dataDir: string;
  eventStore: { kind: 'sqlite' } | { kind: 'esdb'; connectionString: string };
  readStore: { kind: 'sqlite' } | { kind: 'mongo'; url: string; db: string };
  wechat: WechatConfig;
  /**
   * Base of the notify_url sent to WeChat. Unset: where the service listens (with the default
   * HOST and PORT that is DESIGN §4's default, http://127.0.0.1:3000).
   */
  publicBaseUrl?: string;
  wechatMaxRps: number;
  gatewayRetryBaseMs: number;
  reconcileAfterSeconds: number;
  reconcileIntervalSeconds: number;
  /** WECHAT_REFUND_ACCOUNT: the funds account of refunds that name none; unset: WeChat's default. */
  refundAccount?: RefundAccount;
  /** NOTENOUGH_RETRY_SECONDS: the delays of the automatic retries in ms; empty: off. */
  notEnoughRetryMs: number[];
  /** ORDER_REFUND_SPACING_SECONDS: refunds of one order are sent at least this far apart. */
  orderRefundSpacingSeconds: number;
  webhooks: WebhookConfig;
  /**
   * BILL_RECONCILE_TIME as minutes after midnight, China time: when yesterday's refund bill is
   * reconciled each day. Undefined: the daily run is off.
   */
  billReconcileMinutes: number | undefined;
  logLevel: LogLevel;
};

export type WebhookConfig = {
  /** Delays between attempts after the first, immediate one (before jitter). */
  retryScheduleMs: number[];
  timeoutMs: number;
  /** http URLs and loopback, private or link-local addresses allowed (sandbox mode's default). */
  allowPrivateUrls: boolean;
};

const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof logLevels)[number];

/**
 * Values that must never be echoed back, not even in a configuration error: the connection
 * strings may carry credentials.
 */
export const secretVariables = [
  'API_TOKENS',
  'WECHAT_API_KEY',
  'WECHAT_API_KEY_PREVIOUS',
  'WECHAT_CERT_P12_PASSWORD',
  'WECHAT_API_V3_KEY',
  'WECHAT_API_V3_KEY_PREVIOUS',
  'ESDB_CONNECTION_STRING',
  'MONGO_URL',
];

const integer = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  z
    .string()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`));

const httpUrl = z
  .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
  .transform((url) => url.replace(/\/+$/, ''));

/** Comma-separated delays in seconds, e.g. `600,3600,21600` (fractions allowed): in ms. */
const delaySchedule = (example: string) =>
  z
    .string()
    .regex(
      /^\s*\d+(\.\d+)?\s*(,\s*\d+(\.\d+)?\s*)*$/,
      `must be comma-separated delays in seconds, e.g. ${example}`,
    )
    .transform((text) => text.split(',').map((delay) => Math.round(Number(delay) * 1000)));

// v3 calls the recharge funds AVAILABLE (WECHAT-V3.md §1); either name is taken.
const refundAccountVariable = z
  .enum([...refundAccounts, 'AVAILABLE'], { error: `must be ${refundAccounts.join(' or ')}` })
  .transform((account): RefundAccount =>
    account === 'AVAILABLE' ? 'REFUND_SOURCE_RECHARGE_FUNDS' : account,
  );

// The APIv3 key is 32 bytes (AES-256): WECHAT-V3.md §6.
const apiV3Key = z
  .string()
  .refine((key) => Buffer.byteLength(key, 'utf8') === 32, 'must be the 32-byte APIv3 key');

const variables = z.object({
  HOST: z.string().default('127.0.0.1'),
  PORT: integer(0, 65535).default(3000),
  API_TOKENS: z
    .string()
    .default('')
    .transform((text) =>
      text
        .split(',')
        .map((token) => token.trim())
        .filter((token) => token.length > 0),
    ),
  DATA_DIR: z.string().default('./data'),
  EVENT_STORE: z.enum(['sqlite', 'esdb']).default('sqlite'),
  ESDB_CONNECTION_STRING: z
    .string()
    .regex(/^esdb(\+discover)?:\/\//, 'must start with esdb:// or esdb+discover://')
    .optional(),
  READ_STORE: z.enum(['sqlite', 'mongo']).default('sqlite'),
  MONGO_URL: z
    .string()
    .regex(/^mongodb(\+srv)?:\/\//, 'must start with mongodb:// or mongodb+srv://')
    .optional(),
  MONGO_DB: z.string().default('refunds'),
  WECHAT_MODE: z.enum(['sandbox', 'live']).default('sandbox'),
  WECHAT_API_BASE_URL: httpUrl.default('https://api.mch.weixin.qq.com'),
  WECHAT_APPID: z.string().optional(),
  WECHAT_MCH_ID: z.string().regex(/^\d+$/, 'must be digits').optional(),
  WECHAT_API_KEY: z.string().length(32, 'must be the 32-character API v2 key').optional(),
  WECHAT_API_KEY_PREVIOUS: z
    .string()
    .length(32, 'must be the former 32-character API v2 key')
    .optional(),
  WECHAT_SIGN_TYPE: z.enum(['MD5', 'HMAC-SHA256']).default('MD5'),
  WECHAT_CERT_P12_PATH: z.string().optional(),
  WECHAT_CERT_P12_PASSWORD: z.string().optional(),
  WECHAT_CERT_PEM_PATH: z.string().optional(),
  WECHAT_KEY_PEM_PATH: z.string().optional(),
  WECHAT_CA_PATH: z.string().optional(),
  WECHAT_API_VERSION: z.enum(['v2', 'v3']).default('v2'),
  WECHAT_API_V3_KEY: apiV3Key.optional(),
  WECHAT_API_V3_KEY_PREVIOUS: apiV3Key.optional(),
  WECHAT_MERCHANT_SERIAL_NO: z
    .string()
    .regex(
      /^[0-9A-Fa-f]{1,64}$/,
      'must be the serial number of the merchant API certificate (hexadecimal)',
    )
    .optional(),
  WECHAT_PLATFORM_PUBLIC_KEY_PATH: z.string().optional(),
  WECHAT_PLATFORM_PUBLIC_KEY_ID: z
    .string()
    .regex(/^PUB_KEY_ID_[0-9A-Za-z_]+$/, 'must be the id WeChat shows, PUB_KEY_ID_…')
    .optional(),
  PUBLIC_BASE_URL: httpUrl
    .refine((url) => !url.includes('?'), {
      error: 'must not contain a query string (WeChat refuses notify_url with one)',
    })
    .optional(),
  WECHAT_MAX_RPS: integer(0).default(100),
  GATEWAY_RETRY_BASE_MS: integer(1).default(1000),
  RECONCILE_AFTER_SECONDS: integer(1).default(600),
  RECONCILE_INTERVAL_SECONDS: integer(1).default(60),
  WECHAT_REFUND_ACCOUNT: refundAccountVariable.optional(),
  NOTENOUGH_RETRY_SECONDS: delaySchedule('600,3600,21600').optional(),
  ORDER_REFUND_SPACING_SECONDS: integer(0, 86_400).default(60),
  WEBHOOK_RETRY_SCHEDULE_SECONDS: delaySchedule('5,300,1800').default(
    [5, 300, 1800, 7200, 18000, 36000, 50400, 72000, 86400].map((s) => s * 1000),
  ),
  WEBHOOK_TIMEOUT_MS: integer(1, 600_000).default(15_000),
  WEBHOOK_ALLOW_PRIVATE_URLS: z
    .enum(['true', 'false'], { error: 'must be true or false' })
    .transform((value) => value === 'true')
    .optional(),
  BILL_RECONCILE_TIME: z
    .string()
    .default('10:30')
    .pipe(
      z
        .string()
        .regex(
          /^(([01]\d|2[0-3]):[0-5]\d|off)$/,
          'must be a time HH:MM (China time), or empty for off',
        )
        .transform((text) =>
          text === 'off' ? undefined : Number(text.slice(0, 2)) * 60 + Number(text.slice(3)),
        ),
    ),
  LOG_LEVEL: z.enum(logLevels).default('info'),
});

type Variables = z.infer<typeof variables>;

export type ConfigResult = { ok: true; config: Config } | { ok: false; problems: string[] };

/**
 * Reads the configuration of DESIGN §4 from the environment. An empty variable counts as unset.
 * Every problem is reported, one line each, and a secret's value is never repeated.
 */
export const loadConfig = (env: NodeJS.ProcessEnv): ConfigResult => {
  const present = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value !== ''),
  );
  // The one variable whose empty value means something (DESIGN §4): the daily bill run is off.
  if (env.BILL_RECONCILE_TIME?.trim() === '') present.BILL_RECONCILE_TIME = 'off';
  const parsed = variables.safeParse(present);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const name = issue.path.join('.');
      const value = present[name];
      const shown =
        value === undefined || secretVariables.includes(name) ? '' : ` (got "${value}")`;
      return `${name}: ${issue.message}${shown}`;
    });
    const invalid = new Set(parsed.error.issues.map((issue) => issue.path.join('.')));
    return { ok: false, problems: [...problems, ...crossProblemsBeside(present, invalid)] };
  }
  return crossCheck(parsed.data);
};

/**
 * The cross-checks (a variable required by another's value) run on the variables that are valid,
 * so that one start reports every problem; an invalid variable is not reported twice.
 */
const crossProblemsBeside = (
  present: Record<string, string | undefined>,
  invalid: ReadonlySet<string>,
): string[] => {
  const valid = variables.safeParse(
    Object.fromEntries(Object.entries(present).filter(([name]) => !invalid.has(name))),
  );
  const checked = valid.success ? crossCheck(valid.data) : undefined;
  if (!checked || checked.ok) return [];
  // Every problem starts with the variable it is about.
  return checked.problems.filter((problem) => !invalid.has(problem.split(':', 1)[0] ?? ''));
};

const crossCheck = (v: Variables): ConfigResult => {
  const problems: string[] = [];
  if (v.API_TOKENS.length === 0 && !isLoopback(v.HOST)) {
    problems.push(`API_TOKENS: required when HOST is not a loopback address (HOST is "${v.HOST}")`);
  }
  if (v.EVENT_STORE === 'esdb') {
    if (!v.ESDB_CONNECTION_STRING) {
      problems.push('ESDB_CONNECTION_STRING: required when EVENT_STORE is esdb');
    } else {
      for (const problem of esdbConnectionProblems(v.ESDB_CONNECTION_STRING)) {
        problems.push(`ESDB_CONNECTION_STRING: ${problem}`);
      }
    }
  }
  if (v.READ_STORE === 'mongo') {
    if (!v.MONGO_URL) problems.push('MONGO_URL: required when READ_STORE is mongo');
    else
      for (const problem of mongoUrlProblems(v.MONGO_URL)) problems.push(`MONGO_URL: ${problem}`);
  }
  const wechat = wechatConfig(v, problems);
  if (problems.length > 0 || !wechat) return { ok: false, problems };
  return {
    ok: true,
    config: {
      host: v.HOST,
      port: v.PORT,
      apiTokens: v.API_TOKENS,
      dataDir: v.DATA_DIR,
      eventStore:
        v.EVENT_STORE === 'esdb' && v.ESDB_CONNECTION_STRING
          ? { kind: 'esdb', connectionString: v.ESDB_CONNECTION_STRING }
          : { kind: 'sqlite' },
      readStore:
        v.READ_STORE === 'mongo' && v.MONGO_URL
          ? { kind: 'mongo', url: v.MONGO_URL, db: v.MONGO_DB }
          : { kind: 'sqlite' },
      wechat,
      ...(v.PUBLIC_BASE_URL !== undefined && { publicBaseUrl: v.PUBLIC_BASE_URL }),
      wechatMaxRps: v.WECHAT_MAX_RPS,
      gatewayRetryBaseMs: v.GATEWAY_RETRY_BASE_MS,
      reconcileAfterSeconds: v.RECONCILE_AFTER_SECONDS,
      reconcileIntervalSeconds: v.RECONCILE_INTERVAL_SECONDS,
      ...(v.WECHAT_REFUND_ACCOUNT !== undefined && { refundAccount: v.WECHAT_REFUND_ACCOUNT }),
      notEnoughRetryMs: v.NOTENOUGH_RETRY_SECONDS ?? [],
      orderRefundSpacingSeconds: v.ORDER_REFUND_SPACING_SECONDS,
      webhooks: {
        retryScheduleMs: v.WEBHOOK_RETRY_SCHEDULE_SECONDS,
        timeoutMs: v.WEBHOOK_TIMEOUT_MS,
        allowPrivateUrls: v.WEBHOOK_ALLOW_PRIVATE_URLS ?? v.WECHAT_MODE === 'sandbox',
      },
      billReconcileMinutes: v.BILL_RECONCILE_TIME,
      logLevel: v.LOG_LEVEL,
    },
  };
};

const wechatConfig = (v: Variables, problems: string[]): WechatConfig | undefined => {
  const previous = v.WECHAT_API_KEY_PREVIOUS;
  const apiKeyPrevious = previous !== undefined && { apiKeyPrevious: previous };
  if (v.WECHAT_MODE === 'sandbox') {
    return {
      mode: 'sandbox',
      signType: v.WECHAT_SIGN_TYPE,
      apiVersion: v.WECHAT_API_VERSION,
      ...apiKeyPrevious,
    };
  }
  const v3 = v3Config(v, problems);
  const missing = (['WECHAT_APPID', 'WECHAT_MCH_ID', 'WECHAT_API_KEY'] as const).filter(
    (name) => !v[name],
  );
  for (const name of missing) problems.push(`${name}: required when WECHAT_MODE is live`);
  const certificate = certificateSource(v, problems);
  if (!v.WECHAT_APPID || !v.WECHAT_MCH_ID || !v.WECHAT_API_KEY || !certificate) return undefined;
  return {
    mode: 'live',
    signType: v.WECHAT_SIGN_TYPE,
    apiVersion: v.WECHAT_API_VERSION,
    ...apiKeyPrevious,
    baseUrl: v.WECHAT_API_BASE_URL,
    appid: v.WECHAT_APPID,
    mchId: v.WECHAT_MCH_ID,
    apiKey: v.WECHAT_API_KEY,
    certificate: certificate(v.WECHAT_MCH_ID),
    ...(v.WECHAT_CA_PATH !== undefined && { caPath: v.WECHAT_CA_PATH }),
    ...(v3 !== undefined && { v3 }),
  };
};

/**
 * The v3 settings of live mode: required with WECHAT_API_VERSION=v3, and taken whenever given
 * (v3 notifications of refunds sent under v3 still arrive after a switch back to v2).
 */
const v3Config = (v: Variables, problems: string[]): WechatV3Config | undefined => {
  const path = v.WECHAT_PLATFORM_PUBLIC_KEY_PATH;
  const id = v.WECHAT_PLATFORM_PUBLIC_KEY_ID;
  if ((path === undefined) !== (id === undefined)) {
    problems.push(
      'WECHAT_PLATFORM_PUBLIC_KEY_ID: WECHAT_PLATFORM_PUBLIC_KEY_PATH and WECHAT_PLATFORM_PUBLIC_KEY_ID go together',
    );
  }
  const key = v.WECHAT_API_V3_KEY;
  const serial = v.WECHAT_MERCHANT_SERIAL_NO;
  if (v.WECHAT_API_VERSION === 'v3') {
    if (!key) problems.push('WECHAT_API_V3_KEY: required when WECHAT_API_VERSION is v3');
    if (!serial) problems.push('WECHAT_MERCHANT_SERIAL_NO: required when WECHAT_API_VERSION is v3');
  }
  if (!key || !serial) return undefined;
  return {
    apiV3Key: key,
    ...(v.WECHAT_API_V3_KEY_PREVIOUS !== undefined && {
      apiV3KeyPrevious: v.WECHAT_API_V3_KEY_PREVIOUS,
    }),
    merchantSerialNo: serial,
    ...(path !== undefined && id !== undefined && { platformPublicKey: { path, id } }),
  };
};

/** The merchant certificate, as a function of the mch_id (the .p12 password defaults to it). */
const certificateSource = (
  v: Variables,
  problems: string[],
): ((mchId: string) => WechatCertificateSource) | undefined => {
  const p12 = v.WECHAT_CERT_P12_PATH;
  const pem = v.WECHAT_CERT_PEM_PATH;
  const key = v.WECHAT_KEY_PEM_PATH;
  if (p12 && (pem || key)) {
    problems.push(
      'WECHAT_CERT_P12_PATH: give either the .p12 or WECHAT_CERT_PEM_PATH + WECHAT_KEY_PEM_PATH, not both',
    );
    return undefined;
  }
  if (p12) {
    const password = v.WECHAT_CERT_P12_PASSWORD;
    return (mchId) => ({ kind: 'p12', path: p12, password: password ?? mchId });
  }
  if (pem && key) return () => ({ kind: 'pem', certPath: pem, keyPath: key });
  problems.push(
    pem || key
      ? 'WECHAT_KEY_PEM_PATH: WECHAT_CERT_PEM_PATH and WECHAT_KEY_PEM_PATH go together'
      : 'WECHAT_CERT_P12_PATH: the merchant certificate (or WECHAT_CERT_PEM_PATH + WECHAT_KEY_PEM_PATH) is required when WECHAT_MODE is live',
  );
  return undefined;
};

export const isLoopback = (host: string): boolean =>
  host === 'localhost' ||
  (isIP(host) === 4 && host.startsWith('127.')) ||
  host === '::1' ||
  host === '[::1]';
