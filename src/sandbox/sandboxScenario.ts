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
