import type { RefundView } from '../projections/refundView.js';
import { chinaDate } from '../application/chinaDate.js';

/** The columns of `refunds export`, in order. Amounts are integer fen; times ISO 8601 as recorded. */
export const exportColumns = [
  'outRefundNo',
  'outTradeNo',
  'transactionId',
  'refundId',
  'status',
  'totalFee',
  'refundFee',
  'settlementRefundFee',
  'refundRecvAccount',
  'attempt',
  'origin',
  'reason',
  'requestedAt',
  'updatedAt',
  'settledAt',
  'successTime',
  'failureStage',
  'failureCode',
  'failureMessage',
  'events',
  // Added after the others, so that readers of the earlier columns by position are unaffected.
  'refundAccount',
] as const;

export type ExportColumn = (typeof exportColumns)[number];

/** One refund as finance reads it; null where the refund has no such value. */
export type RefundExportRow = Record<ExportColumn, string | number | null>;

export const refundExportRow = (view: RefundView): RefundExportRow => ({
  outRefundNo: view.outRefundNo,
  outTradeNo: view.outTradeNo,
  transactionId: view.transactionId ?? null,
  refundId: view.refundId ?? null,
  status: view.status,
  totalFee: view.totalFee,
  refundFee: view.refundFee,
  settlementRefundFee: view.settlementRefundFee ?? null,
  refundRecvAccount: view.refundRecvAccount ?? null,
  attempt: view.attempt,
  origin: view.origin,
  reason: view.reason ?? null,
  requestedAt: view.requestedAt,
  updatedAt: view.updatedAt,
  // A SUCCEEDED or FAILED refund is settled as of its last event (a retry reopens a FAILED one).
  settledAt: view.status === 'SUCCEEDED' || view.status === 'FAILED' ? view.updatedAt : null,
  successTime: view.successTime ?? null,
  failureStage: view.failure?.stage ?? null,
  failureCode: view.failure?.code ?? null,
  failureMessage: view.failure?.message ?? null,
  events: view.version,
  refundAccount: view.refundAccount ?? null,
});

/** Dates YYYY-MM-DD, both inclusive, in China time (UTC+8); either may be open. */
export type RequestedRange = { from?: string; to?: string };

/** Whether the refund was first requested within the range, by the China-time date of requestedAt. */
export const requestedWithin = (view: RefundView, { from, to }: RequestedRange): boolean => {
  if (from === undefined && to === undefined) return true;
  const date = chinaDate(view.requestedAt);
  if (date === undefined) return false;
  return (from === undefined || date >= from) && (to === undefined || date <= to);
};
