import { RefundRuleViolation, type NotifiedOrder } from '../../domain/index.js';
import { uuidV5, eventIdNamespace } from '../deterministicEventId.js';
import { errorMessage } from '../errorMessage.js';
import type { CommandContext } from '../eventMetadata.js';
import type { RefundCommandHandler } from '../handleRefundCommand.js';
import type { RefundQueryOutcome } from '../ports/refundGateway.js';
import { commandForReport, type RefundReport } from '../refundReport.js';
import type { BillLog } from './billLog.js';
import type { BillRefundRow } from './billRecords.js';
import { billSide, type BillComparison } from './compareBill.js';
import type { Discrepancy } from './reconciliation.js';

export type RecordMissingRefundsDeps = {
  handle: RefundCommandHandler;
  log: Pick<BillLog, 'fromStream'>;
  /**
   * WeChat's refund query, for the order total a bill row may not state (its 订单金额 is 0 or
   * absent in some layouts); absent, such a row is reported and not recorded.
   */
  queryRefund?: (outRefundNo: string) => Promise<RefundQueryOutcome>;
};

/**
 * The command's context: the same for every run of the date, and its time the bill's, so that the
 * command is the same every time and its events have the same ids (deterministicEventId). Re-runs
 * and instances racing over one day then record a refund once: the decider finds it recorded, or
 * the log refuses the second append at the same revision (EventStoreDB: takes it as the same).
 */
const contextOf = (date: string, outRefundNo: string): CommandContext => ({
  correlationId: uuidV5(`bill-reconciliation:${date}`, eventIdNamespace),
  causationId: uuidV5(`bill-row:${date}:${outRefundNo}`, eventIdNamespace),
  source: 'bill',
});

const orderOf = async (
  row: BillRefundRow,
  queryRefund: RecordMissingRefundsDeps['queryRefund'],
): Promise<NotifiedOrder | string> => {
  const { outTradeNo, transactionId } = row;
  if (row.orderFee !== undefined && row.orderFee >= row.refundFee) {
    return { outTradeNo, transactionId, totalFee: row.orderFee };
  }
  if (queryRefund === undefined) return 'the bill states no order total';
  const answer = await queryRefund(row.outRefundNo);
  if (answer.kind === 'found' && answer.report.order !== undefined) return answer.report.order;
  return `the bill states no order total and WeChat's refund query gave none (${answer.kind})`;
};

/**
 * A SUCCESS row as WeChat reporting the refund: it opens the refund's stream, origin wechat, dated
 * by the bill (requested at 退款申请时间, recorded as of 退款成功时间).
 */
const reportOf = (
  row: BillRefundRow,
  order: NotifiedOrder,
  date: string,
): { report: RefundReport; at: string } => {
  const requestedAt = row.appliedAt ?? `${date}T00:00:00+08:00`;
  const successTime = row.succeededAt ?? requestedAt;
  const report: RefundReport = {
    outRefundNo: row.outRefundNo,
    refundId: row.refundId,
    refundFee: row.refundFee,
    order,
    requestedAt,
    outcome: {
      status: 'succeeded',
      settlementRefundFee: row.settledRefundFee,
      // The bill does not say where the money went, from which funds, nor who asked.
      refundRecvAccount: '',
      refundAccount: '',
      refundRequestSource: '',
      successTime,
    },
  };
  return { report, at: successTime };
};

/**
 * Records the SUCCESS rows the log did not have as refunds of origin wechat (BILLS.md §3) and
 * reports every row missing from the log. Called once the whole bill has been read.
 */
export const recordMissingRefunds = async (
  date: string,
  missing: BillComparison['missingFromLog'],
  { handle, log, queryRefund }: RecordMissingRefundsDeps,
): Promise<Discrepancy[]> => {
  const reported: Discrepancy[] = [];
  for (const { row, recordedBefore } of missing) {
    const discrepancy = {
      kind: 'missingFromLog',
      outRefundNo: row.outRefundNo,
      refundId: row.refundId,
      bill: billSide(row),
    } as const;
    if (row.status !== 'SUCCESS' || recordedBefore) {
      reported.push({ ...discrepancy, recorded: recordedBefore });
      continue;
    }
    const order = await orderOf(row, queryRefund);
    if (typeof order === 'string') {
      reported.push({ ...discrepancy, recorded: false, note: order });
      continue;
    }
    const { report, at } = reportOf(row, order, date);
    try {
      const handled = await handle(commandForReport(report, at), contextOf(date, row.outRefundNo));
      // Nothing appended: another instance reconciling the same day recorded it first, or a late
      // notification did; the stream says which.
      const recorded =
        handled.appended[0]?.type === 'RefundRequested' ||
        (await log.fromStream(row.outRefundNo))?.recordedBy === 'bill';
      reported.push({
        ...discrepancy,
        recorded,
        ...(!recorded && { note: 'a notification recorded it meanwhile' }),
      });
    } catch (error) {
      if (!(error instanceof RefundRuleViolation)) throw error;
      reported.push({ ...discrepancy, recorded: false, note: errorMessage(error) });
    }
  }
  return reported;
};
