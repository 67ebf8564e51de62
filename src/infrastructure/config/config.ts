import { isIP } from 'node:net';
import { z } from 'zod';
import { billVariables, moneyConfig, moneyVariables, type MoneyConfig } from './moneyVariables.js';
import { storeConfig, storeVariables, type StoreConfig } from './storeVariables.js';
import { httpUrl, integer } from './variableTypes.js';
import { webhookConfig, webhookVariables, type WebhookConfig } from './webhookVariables.js';
import { wechatConfig, wechatVariables, type WechatConfig } from './wechatVariables.js';

export type Config = {
  host: string;
  port: number;
  apiTokens: string[];
  dataDir: string;
  wechat: WechatConfig;
  /**
   * Base of the notify_url sent to WeChat. Unset: where the service listens (with the default
   * HOST and PORT that is DESIGN §4's default, http://127.0.0.1:3000).
   */
  publicBaseUrl?: string;
  webhooks: WebhookConfig;
  logLevel: LogLevel;
} & StoreConfig &
  MoneyConfig;

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

/** Every variable of DESIGN §4, each group's from its module, in the order problems are listed. */
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
  ...storeVariables.shape,
  ...wechatVariables.shape,
  PUBLIC_BASE_URL: httpUrl
    .refine((url) => !url.includes('?'), {
      error: 'must not contain a query string (WeChat refuses notify_url with one)',
    })
    .optional(),
  ...moneyVariables.shape,
  ...webhookVariables.shape,
  ...billVariables.shape,
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
  const stores = storeConfig(v, problems);
  const wechat = wechatConfig(v, problems);
  if (problems.length > 0 || !wechat) return { ok: false, problems };
  return {
    ok: true,
    config: {
      host: v.HOST,
      port: v.PORT,
      apiTokens: v.API_TOKENS,
      dataDir: v.DATA_DIR,
      ...stores,
      wechat,
      ...(v.PUBLIC_BASE_URL !== undefined && { publicBaseUrl: v.PUBLIC_BASE_URL }),
      ...moneyConfig(v),
      webhooks: webhookConfig(v),
      logLevel: v.LOG_LEVEL,
    },
  };
};

export const isLoopback = (host: string): boolean =>
  host === 'localhost' ||
  (isIP(host) === 4 && host.startsWith('127.')) ||
  host === '::1' ||
  host === '[::1]';
