import { createSandboxRateLimit } from './sandboxRateLimit.js';
import type { SandboxCallCount, SandboxOperation } from './sandboxRefund.js';

/**
 * The refund and query calls the sandbox counts, per out_refund_no (unknown ones included), and
 * WeChat's rate limit on them together (sandboxRateLimit.ts; `perSecond` 0: none).
 */
export const createSandboxCalls = ({ perSecond, now }: { perSecond: number; now: () => Date }) => {
  const rateLimit = createSandboxRateLimit({ perSecond, now: () => now().getTime() });
  const counted: Record<SandboxOperation, Map<string, number>> = {
    refund: new Map(),
    query: new Map(),
  };
  const rateLimited: Record<SandboxOperation, number> = { refund: 0, query: 0 };

  const countOf = (operation: SandboxOperation): SandboxCallCount => {
    const byOutRefundNo = Object.fromEntries(counted[operation]);
    const calls = Object.values(byOutRefundNo).reduce((sum, n) => sum + n, 0);
    return { calls, rateLimited: rateLimited[operation], byOutRefundNo };
  };

  return {
    /**
     * Counts a call naming the out_refund_no, whatever its answer, and says whether it fits the
     * rate limit (false: answer FREQUENCY_LIMITED).
     */
    admit: (operation: SandboxOperation, outRefundNo: string): boolean => {
      const calls = counted[operation];
      calls.set(outRefundNo, (calls.get(outRefundNo) ?? 0) + 1);
      const admitted = rateLimit.admit();
      if (!admitted) rateLimited[operation] += 1;
      return admitted;
    },
    /** The calls of the operation naming the out_refund_no. */
    of: (operation: SandboxOperation, outRefundNo: string): number =>
      counted[operation].get(outRefundNo) ?? 0,
    counts: (): Record<SandboxOperation, SandboxCallCount> => ({
      refund: countOf('refund'),
      query: countOf('query'),
    }),
  };
};

export type SandboxCalls = ReturnType<typeof createSandboxCalls>;
