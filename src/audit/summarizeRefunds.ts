import { assertNever, type FailureStage } from '../domain/index.js';
import type { AuditReport, StaleRefund } from './auditReport.js';
import type { RefundTrail } from './judgeRefundEvent.js';

/**
 * What the refunds came to: counts by status, failures by code, and the stale ones (REQUESTED or
 * ACCEPTED with no event for longer than the threshold, the reconciler's own criterion).
 */
export const summarizeRefunds = (
  refunds: ReadonlyMap<string, RefundTrail>,
  { now, staleAfterSeconds }: { now: Date; staleAfterSeconds: number },
): Pick<AuditReport, 'statuses' | 'failed' | 'stale'> => {
  const statuses = { REQUESTED: 0, ACCEPTED: 0, SUCCEEDED: 0, FAILED: 0, UNKNOWN: 0 };
  const failed = new Map<string, { stage: FailureStage; code: string; refunds: number }>();
  const stale: StaleRefund[] = [];
  for (const { state, lastRecordedAt } of refunds.values()) {
    switch (state.status) {
      case 'NONE':
        statuses.UNKNOWN += 1;
        break;
      case 'SUCCEEDED':
        statuses.SUCCEEDED += 1;
        break;
      case 'FAILED': {
        statuses.FAILED += 1;
        const key = JSON.stringify([state.stage, state.code]);
        const entry = failed.get(key) ?? { stage: state.stage, code: state.code, refunds: 0 };
        failed.set(key, { ...entry, refunds: entry.refunds + 1 });
        break;
      }
      case 'REQUESTED':
      case 'ACCEPTED': {
        statuses[state.status] += 1;
        const ageSeconds = Math.floor((now.getTime() - Date.parse(lastRecordedAt)) / 1000);
        if (ageSeconds > staleAfterSeconds) {
          const { outRefundNo } = state.terms;
          stale.push({
            outRefundNo,
            status: state.status,
            lastEventAt: lastRecordedAt,
            ageSeconds,
          });
        }
        break;
      }
      default:
        assertNever(state);
    }
  }
  return {
    statuses,
    failed: [...failed.values()].sort(
      (a, b) =>
        b.refunds - a.refunds || a.stage.localeCompare(b.stage) || a.code.localeCompare(b.code),
    ),
    stale: {
      afterSeconds: staleAfterSeconds,
      refunds: stale.sort((a, b) => b.ageSeconds - a.ageSeconds),
    },
  };
};
