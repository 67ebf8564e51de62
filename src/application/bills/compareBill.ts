import type { RefundStatus } from '../../domain/index.js';
import type { BillItem, BillRefundRow, BillTotal } from './billRecords.js';
import type { BillLog, LoggedRefund } from './billLog.js';
import type { Discrepancy } from './reconciliation.js';
import { createSeenNumbers } from './seenNumbers.js';

/** The bill's words for a refund that failed; PROCESSING (or a word not known) is no verdict. */
const failedStatuses = new Set(['REFUNDCLOSE', 'CHANGE', 'CLOSED', 'ABNORMAL']);

/** BILLS.md §3: SUCCESS against FAILED, either way round, is a statusMismatch. */
const contradicts = (billStatus: string, logStatus: RefundStatus): boolean =>
  (billStatus === 'SUCCESS' && logStatus === 'FAILED') ||
  (failedStatuses.has(billStatus) && logStatus === 'SUCCEEDED');

export const billSide = (row: BillRefundRow): NonNullable<Discrepancy['bill']> => ({
  line: row.line,
  refundId: row.refundId,
  outTradeNo: row.outTradeNo,
  transactionId: row.transactionId,
  status: row.status,
  refundFee: row.refundFee,
  settledRefundFee: row.settledRefundFee,
  ...(row.appliedAt !== undefined && { appliedAt: row.appliedAt }),
  ...(row.succeededAt !== undefined && { succeededAt: row.succeededAt }),
});

const logSide = (refund: LoggedRefund): NonNullable<Discrepancy['log']> => ({
  status: refund.status,
  refundFee: refund.refundFee,
  ...(refund.refundId !== undefined && { refundId: refund.refundId }),
  origin: refund.origin,
  ...(refund.billDate !== undefined && { billDate: refund.billDate }),
});

/** What comparing a bill with the log found; the rows missing from the log are still to be recorded. */
export type BillComparison = {
  matched: number;
  rows: number;
  discrepancies: Discrepancy[];
  /** Bill rows of refunds the log does not have (some recorded from the bill by an earlier run). */
  missingFromLog: { row: BillRefundRow; recordedBefore: boolean }[];
};

const batchSize = 500;

/**
 * Compares a bill, streamed, with the log (BILLS.md §3). Memory grows with discrepancies, with
 * rows the read model cannot settle (refunds of origin wechat, unknown ones) and by 8 bytes per
 * refund of the day, never with the whole bill: rows are looked up a batch at a time.
 */
export const compareBill = async (
  date: string,
  items: AsyncIterable<BillItem>,
  log: BillLog,
): Promise<BillComparison> => {
  const discrepancies: Discrepancy[] = [];
  const missingFromLog: BillComparison['missingFromLog'] = [];
  /** Rows the read model cannot settle alone: unknown to it, or of origin wechat. */
  const unsettled: BillRefundRow[] = [];
  const seen = createSeenNumbers();
  let matched = 0;
  let rows = 0;

  const judge = (row: BillRefundRow, refund: LoggedRefund): void => {
    if (refund.billDate === date) seen.add(row.outRefundNo);
    const found: Discrepancy[] = [];
    const both = { outRefundNo: row.outRefundNo, refundId: row.refundId };
    const sides = { bill: billSide(row), log: logSide(refund) };
    if (row.refundFee !== refund.refundFee)
      found.push({ kind: 'amountMismatch', ...both, ...sides });
    if (contradicts(row.status, refund.status)) {
      found.push({ kind: 'statusMismatch', ...both, ...sides });
    }
    if (found.length === 0) matched += 1;
    discrepancies.push(...found);
  };

  let batch: BillRefundRow[] = [];
  const flush = async (): Promise<void> => {
    const known = new Map(
      (await log.find(batch.map((row) => row.outRefundNo))).map((r) => [r.outRefundNo, r]),
    );
    for (const row of batch) {
      const refund = known.get(row.outRefundNo);
      // A refund of origin wechat may be one an earlier run recorded from this very bill.
      if (refund === undefined || refund.origin === 'wechat') unsettled.push(row);
      else judge(row, refund);
    }
    batch = [];
  };

  const checkTotals = (totals: BillTotal[]): void => {
    for (const total of totals) {
      if (total.summary !== total.rows) {
        discrepancies.push({ kind: 'summaryMismatch', outRefundNo: '', total });
      }
    }
  };

  for await (const item of items) {
    if (item.kind === 'totals') {
      checkTotals(item.totals);
      continue;
    }
    rows += 1;
    batch.push(item.row);
    if (batch.length >= batchSize) await flush();
  }
  if (batch.length > 0) await flush();

  // The few rows the read model could not settle, against the stream itself.
  const inStreams = new Set<string>();
  for (const row of unsettled) {
    const stored = await log.fromStream(row.outRefundNo);
    if (stored !== undefined && stored.recordedBy !== 'bill') {
      judge(row, stored.refund);
      inStreams.add(row.outRefundNo);
      continue;
    }
    if (stored !== undefined) inStreams.add(row.outRefundNo);
    missingFromLog.push({ row, recordedBefore: stored !== undefined });
  }

  for await (const refund of log.takenOn(date)) {
    if (seen.has(refund.outRefundNo) || inStreams.has(refund.outRefundNo)) continue;
    discrepancies.push({
      kind: 'missingFromBill',
      outRefundNo: refund.outRefundNo,
      ...(refund.refundId !== undefined && { refundId: refund.refundId }),
      log: logSide(refund),
    });
  }
  return { matched, rows, discrepancies, missingFromLog };
};
