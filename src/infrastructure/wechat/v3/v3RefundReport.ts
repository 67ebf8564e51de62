import type { ReportedOutcome } from '../../../application/refundReport.js';

/** v3's statuses that fail a refund at settlement (WECHAT-V3.md §2). */
export type V3SettlementFailure = 'CLOSED' | 'ABNORMAL';

const failureMessages: Record<V3SettlementFailure, string> = {
  CLOSED: 'WeChat Pay closed the refund (CLOSED)',
  ABNORMAL: 'WeChat Pay reported the refund abnormal (ABNORMAL)',
};

/** CLOSED and ABNORMAL fail the refund at settlement, with that literal status as the code. */
export const v3SettlementFailure = (status: V3SettlementFailure): ReportedOutcome => ({
  status: 'failed',
  code: status,
  message: failureMessages[status],
});
