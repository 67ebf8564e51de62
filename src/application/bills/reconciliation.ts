import { z } from 'zod';
import { refundStatuses } from '../../domain/index.js';

/** The kinds of discrepancy between WeChat's bill and the log (BILLS.md §3), in report order. */
export const discrepancyKinds = [
  'missingFromLog',
  'missingFromBill',
  'amountMismatch',
  'statusMismatch',
  'summaryMismatch',
] as const;

export type DiscrepancyKind = (typeof discrepancyKinds)[number];

const fen = z.number().int().nonnegative();

/** A refund row as the bill states it. */
export const billSideSchema = z.object({
  line: z.number().int(),
  refundId: z.string(),
  outTradeNo: z.string(),
  transactionId: z.string(),
  status: z.string(),
  refundFee: fen,
  settledRefundFee: fen,
  appliedAt: z.string().exactOptional(),
  succeededAt: z.string().exactOptional(),
});

/** The refund as the log states it. */
export const logSideSchema = z.object({
  status: z.enum(refundStatuses),
  refundFee: fen,
  refundId: z.string().exactOptional(),
  origin: z.enum(['api', 'wechat']),
  /** The China date WeChat took it on, by the log. */
  billDate: z.string().exactOptional(),
});

export const discrepancySchema = z.object({
  kind: z.enum(discrepancyKinds),
  /** Empty for a summaryMismatch, which is about the whole bill. */
  outRefundNo: z.string(),
  refundId: z.string().exactOptional(),
  bill: billSideSchema.exactOptional(),
  log: logSideSchema.exactOptional(),
  /**
   * missingFromLog: whether the refund is in the log now, recorded from the bill as a refund of
   * origin `wechat` (metadata source `bill`); only a SUCCESS row is.
   */
  recorded: z.boolean().exactOptional(),
  /** Why a SUCCESS row missing from the log could not be recorded. */
  note: z.string().exactOptional(),
  /** summaryMismatch: the total, as the summary row states it and as the rows add up. */
  total: z.object({ field: z.string(), summary: z.number(), rows: z.number() }).exactOptional(),
});

export type Discrepancy = z.infer<typeof discrepancySchema>;

const count = z.number().int().nonnegative();

/** Bill rows that agree with the log, and discrepancies by kind. */
const countsSchema = z.object({
  matched: count,
  missingFromLog: count,
  missingFromBill: count,
  amountMismatch: count,
  statusMismatch: count,
  summaryMismatch: count,
}) satisfies z.ZodType<Record<DiscrepancyKind, number>>;

export type ReconciliationCounts = z.infer<typeof countsSchema>;

/**
 * The reconciliation of one China date (DESIGN §5 `GET /v1/reconciliations/{date}`); beside the
 * contract's fields: summaryMismatch among the counts, and where the bill came from.
 */
export const reconciliationSchema = z.object({
  date: z.string(),
  billType: z.literal('REFUND'),
  checkedAt: z.string(),
  clean: z.boolean(),
  counts: countsSchema,
  discrepancies: z.array(discrepancySchema),
  /** Downloaded with API v2 or v3, or read from a file (`refunds bills reconcile --file`). */
  billSource: z.enum(['v2', 'v3', 'file']),
  /** False when WeChat has no bill for the date: no refunds that day (No Bill Exist). */
  billExists: z.boolean(),
  /** Refund rows in the bill. */
  billRows: z.number().int(),
});

export type Reconciliation = z.infer<typeof reconciliationSchema>;

const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The counts, and the discrepancies in report order: by kind, then outRefundNo, then bill line. */
export const summarize = (
  discrepancies: readonly Discrepancy[],
  matched: number,
): Pick<Reconciliation, 'clean' | 'counts' | 'discrepancies'> => {
  const sorted = [...discrepancies].sort(
    (a, b) =>
      discrepancyKinds.indexOf(a.kind) - discrepancyKinds.indexOf(b.kind) ||
      compareText(a.outRefundNo, b.outRefundNo) ||
      (a.bill?.line ?? 0) - (b.bill?.line ?? 0),
  );
  const counts: ReconciliationCounts = {
    matched,
    missingFromLog: 0,
    missingFromBill: 0,
    amountMismatch: 0,
    statusMismatch: 0,
    summaryMismatch: 0,
  };
  for (const { kind } of sorted) counts[kind] += 1;
  return { clean: sorted.length === 0, counts, discrepancies: sorted };
};
