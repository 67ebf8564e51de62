import { z } from 'zod';

/** How the sandbox plays one refund (docs/sandbox.md). */
export const sandboxScenarios = [
  'SUCCESS',
  'NOTENOUGH',
  'NOTENOUGH_UNSETTLED',
  'SYSTEMERROR',
  'REFUNDCLOSE',
  'CHANGE',
  'NOTIFY_FIRST',
  'LOST_NOTIFICATION',
  'DUPLICATE_NOTIFICATIONS',
  'FREQUENCY_LIMITED',
] as const;

export type SandboxScenario = (typeof sandboxScenarios)[number];

export const sandboxScenarioSchema = z.enum(sandboxScenarios);

const token = /\[sandbox:([A-Za-z_]+)\]/;

/**
 * The scenario named by a `[sandbox:NAME]` token in refund_desc, so that a user can pick an
 * outcome through the service's own API (the reason travels as refund_desc). `undefined` when
 * there is no token; `invalid` when the token names no scenario.
 */
export const scenarioInDescription = (
  description: string | undefined,
): SandboxScenario | 'invalid' | undefined => {
  const name = description === undefined ? undefined : token.exec(description)?.[1];
  if (name === undefined) return undefined;
  const parsed = sandboxScenarioSchema.safeParse(name.toUpperCase());
  return parsed.success ? parsed.data : 'invalid';
};

/** The refund status a settled refund ends in under each scenario. */
export const settledStatusOf = (scenario: SandboxScenario): 'SUCCESS' | 'REFUNDCLOSE' | 'CHANGE' =>
  scenario === 'REFUNDCLOSE' ? 'REFUNDCLOSE' : scenario === 'CHANGE' ? 'CHANGE' : 'SUCCESS';

/** A request the scenario refuses, in v2's err_code terms. */
export type ScenarioRefusal = { kind: 'refused'; errCode: string; errCodeDes: string };

const notEnough: ScenarioRefusal = {
  kind: 'refused',
  errCode: 'NOTENOUGH',
  errCodeDes: '基本账户余额不足，请充值后重新发起',
};

/** WeChat's answer beyond its rate limit: the scenario's, or the sandbox's `--max-rps`. */
export const frequencyLimited: ScenarioRefusal = {
  kind: 'refused',
  errCode: 'FREQUENCY_LIMITED',
  errCodeDes: '频率限制',
};

const systemError: ScenarioRefusal = {
  kind: 'refused',
  errCode: 'SYSTEMERROR',
  errCodeDes: '系统超时，请使用相同参数再次调用',
};

/**
 * How a scenario fails a request for a refund WeChat has not taken yet, if it does. NOTENOUGH is
 * about the unsettled balance: a refund drawn from the recharge (available) balance is taken.
 */
export const requestFailure = (
  scenario: SandboxScenario,
  {
    fromRechargeFunds,
    failedBefore,
  }: {
    /** The refund draws on the recharge funds (sandboxRefund.ts's fromRechargeFunds). */
    fromRechargeFunds: boolean;
    /** A request for the refund already failed under the scenario. */
    failedBefore: boolean;
  },
): ScenarioRefusal | undefined => {
  switch (scenario) {
    case 'NOTENOUGH':
      // The merchant tops up after the first failure (or waits) and retries the same refund.
      return failedBefore || fromRechargeFunds ? undefined : notEnough;
    case 'NOTENOUGH_UNSETTLED':
      // Automatic withdrawal keeps the unsettled balance empty, top-up or not.
      return fromRechargeFunds ? undefined : notEnough;
    case 'SYSTEMERROR':
      return failedBefore ? undefined : systemError;
    case 'SUCCESS':
    case 'REFUNDCLOSE':
    case 'CHANGE':
    case 'NOTIFY_FIRST':
    case 'LOST_NOTIFICATION':
    case 'DUPLICATE_NOTIFICATIONS':
    case 'FREQUENCY_LIMITED':
      return undefined;
  }
};
