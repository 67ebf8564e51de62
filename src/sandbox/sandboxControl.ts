import { z } from 'zod';
import { billPlanSchema, type SandboxBills } from './sandboxBills.js';
import type { SandboxCalls } from './sandboxCalls.js';
import type { SandboxLedger } from './sandboxLedger.js';
import type { NotificationTally, SandboxNotifier } from './sandboxNotifier.js';
import type { SandboxCallCount, SandboxOperation } from './sandboxRefund.js';
import { SandboxRefusal, type SandboxRefundFlow } from './sandboxRefundFlow.js';
import { sandboxScenarioSchema, type SandboxScenario } from './sandboxScenario.js';

/** The control endpoint's plans: a bill discrepancy, or a refund only the bill will tell of. */
const billPlanRequestSchema = z.union([
  billPlanSchema,
  z.object({
    kind: z.literal('unnotifiedRefund'),
    outTradeNo: z.string().regex(/^[0-9A-Za-z_\-|*@]{1,32}$/),
    totalFee: z.number().int().positive(),
    refundFee: z.number().int().positive(),
  }),
]);

const scenarioRequestSchema = z.object({
  outRefundNo: z.string().min(1).max(64),
  scenario: sandboxScenarioSchema,
});

export const controlPaths = new Set(['/sandbox/scenarios', '/sandbox/bill-plans']);

/** GET /sandbox/calls: the refund and query calls counted, and the notification attempts. */
export type SandboxCallReport = Record<SandboxOperation, SandboxCallCount> & {
  notifications: NotificationTally;
};

/**
 * The sandbox's own GET endpoints (JSON; docs/sandbox.md): `/sandbox/refunds`, what it holds,
 * and `/sandbox/calls`. Answers the body, or undefined for another path.
 */
export const createSandboxListings = ({
  ledger,
  calls,
  notifier,
}: {
  ledger: SandboxLedger;
  calls: SandboxCalls;
  notifier: SandboxNotifier;
}) => {
  const callReport = (): SandboxCallReport => ({
    ...calls.counts(),
    notifications: notifier.tally(),
  });
  const listings = new Map<string, () => unknown>([
    ['/sandbox/refunds', ledger.all],
    ['/sandbox/calls', callReport],
  ]);
  return { callReport, at: (path: string): unknown => listings.get(path)?.() };
};

/**
 * The sandbox's own control endpoints (POST, JSON; docs/sandbox.md): a scenario for a refund, a
 * bill plan. Answers the status and the JSON body.
 */
export const createSandboxControl = ({
  flow,
  bills,
  scenarios,
}: {
  flow: SandboxRefundFlow;
  bills: SandboxBills;
  scenarios: Map<string, SandboxScenario>;
}) => {
  /** POST /sandbox/bill-plans. */
  const planned = async (input: unknown): Promise<[number, unknown]> => {
    const parsed = billPlanRequestSchema.safeParse(input);
    if (!parsed.success) return [400, { error: z.prettifyError(parsed.error) }];
    const plan = parsed.data;
    if (plan.kind !== 'unnotifiedRefund') {
      bills.plant(plan);
      return [200, plan];
    }
    try {
      const { kind: _kind, ...refund } = plan;
      return [200, await flow.merchantPlatformRefund({ ...refund, notify: false })];
    } catch (error) {
      if (error instanceof SandboxRefusal)
        return [422, { error: error.message, code: error.errCode }];
      throw error;
    }
  };

  /** A POST to one of controlPaths. */
  return async (path: string, body: Buffer): Promise<[number, unknown]> => {
    let input: unknown;
    try {
      input = JSON.parse(body.toString('utf8'));
    } catch {
      return [400, { error: 'the body must be JSON' }];
    }
    if (path === '/sandbox/bill-plans') return planned(input);
    const parsed = scenarioRequestSchema.safeParse(input);
    if (!parsed.success) return [400, { error: z.prettifyError(parsed.error) }];
    scenarios.set(parsed.data.outRefundNo, parsed.data.scenario);
    return [200, parsed.data];
  };
};
