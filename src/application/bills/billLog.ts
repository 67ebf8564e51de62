import type { Fen, RefundOrigin, RefundStatus } from '../../domain/index.js';
import type { EventSource } from '../eventMetadata.js';

/** A refund as the bill reconciliation needs it from the log (the bill_expectation read model). */
export type LoggedRefund = {
  outRefundNo: string;
  outTradeNo: string;
  refundFee: Fen;
  status: RefundStatus;
  origin: RefundOrigin;
  refundId?: string;
  /**
   * The China date WeChat took the refund's current attempt on (accepted it, or settled it when
   * the acceptance was never recorded): the bill it belongs in. Absent while WeChat has not taken
   * it (REQUESTED, or failed at request).
   */
  billDate?: string;
};

/** What the log says, as the reconciliation of a bill asks it. */
export type BillLog = {
  /** The refunds among these numbers, from the read model. */
  find(outRefundNos: readonly string[]): Promise<LoggedRefund[]>;
  /** Every refund whose billDate is the date, from the read model. */
  takenOn(date: string): AsyncIterable<LoggedRefund>;
  /**
   * The refund as its stream states it, and the source that recorded its first event; undefined
   * when the log has no such refund. For the few rows the read model cannot settle.
   */
  fromStream(
    outRefundNo: string,
  ): Promise<{ refund: LoggedRefund; recordedBy?: EventSource } | undefined>;
};
