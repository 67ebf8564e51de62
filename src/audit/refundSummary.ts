import { addFen, assertNever, type FailureStage } from '../domain/index.js';
import type { AuditReport, StaleRefund } from './auditReport.js';
import type { RefundTrail } from './judgeRefundEvent.js';
import { keepSmallest } from './keepSmallest.js';

type Summarized = Pick<AuditReport, 'statuses' | 'failed' | 'stale' | 'refundedByDay'> & {
  refunds: number;
};

/**
 * What the refunds came to, one refund at a time: counts by status, failures by code, amounts
 * refunded by day, and the stale ones (REQUESTED or ACCEPTED with no event for longer than the
 * threshold, the reconciler's own criterion), the oldest `maxStale` of them listed: fixed-size,
 * whatever the number of refunds (a backlog of a million stale ones is counted, not held).
 */
export const createRefundSummary = ({
  now,
  staleAfterSeconds,
  maxStale,
}: {
  now: Date;
  staleAfterSeconds: number;
  maxStale: number;
}) => {
  const statuses = { REQUESTED: 0, ACCEPTED: 0, SUCCEEDED: 0, FAILED: 0, UNKNOWN: 0 };
  const failed = new Map<string, { stage: FailureStage; code: string; refunds: number }>();
  /** Oldest first; ties in age go by the first event's position. */
  const stale = keepSmallest<{ refund: StaleRefund; first: bigint }>(
    maxStale,
    (a, b) =>
      b.refund.ageSeconds - a.refund.ageSeconds ||
      (a.first < b.first ? -1 : a.first > b.first ? 1 : 0),
  );
  let staleTotal = 0;
  const byDay = new Map<string, { refunds: number; refundFee: number }>();
  let refunds = 0;

  /** A refund after its last event; `first`: its first event's position (ties in age go by it). */
  const add = ({ state, lastRecordedAt }: RefundTrail, first: bigint): void => {
    refunds += 1;
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
          const refund = {
            outRefundNo,
            status: state.status,
            lastEventAt: lastRecordedAt,
            ageSeconds,
          };
          staleTotal += 1;
          stale.add({ refund, first });
        }
        break;
      }
      default:
        assertNever(state);
    }
  };

  /** A refund reached SUCCEEDED: its amount counts on that date (China time). */
  const refunded = (date: string, refundFee: number): void => {
    const day = byDay.get(date) ?? { refunds: 0, refundFee: 0 };
    byDay.set(date, { refunds: day.refunds + 1, refundFee: addFen(day.refundFee, refundFee) });
  };

  const finish = (): Summarized => ({
    refunds,
    statuses,
    failed: [...failed.values()].sort(
      (a, b) =>
        b.refunds - a.refunds || a.stage.localeCompare(b.stage) || a.code.localeCompare(b.code),
    ),
    stale: {
      afterSeconds: staleAfterSeconds,
      total: staleTotal,
      refunds: stale.sorted().map(({ refund }) => refund),
      truncated: staleTotal > stale.size,
    },
    refundedByDay: [...byDay]
      .map(([date, day]) => ({ date, ...day }))
      .sort((a, b) => a.date.localeCompare(b.date)),
  });

  return { add, refunded, finish };
};
