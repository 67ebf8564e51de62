import type { Fen } from '../../domain/index.js';

/**
 * One refund row of WeChat's refund bill (BILLS.md §2), read by header name. Amounts are fen,
 * parsed from the yuan digits; times ISO 8601 in China time; ids the strings WeChat wrote.
 */
export type BillRefundRow = {
  /** Line number in the file (1 is the header): what a reader is told to look at. */
  line: number;
  outRefundNo: string;
  refundId: string;
  outTradeNo: string;
  transactionId: string;
  /**
   * The amount asked for: 申请退款金额 when the layout has it, else 退款金额 (older layouts). The
   * log's refundFee is compared with it.
   */
  refundFee: Fen;
  /** 退款金额: what WeChat refunded, coupons aside. */
  settledRefundFee: Fen;
  /** 订单金额, when the layout has it and it is not 0. */
  orderFee?: Fen;
  /** 退款状态: SUCCESS, REFUNDCLOSE, PROCESSING, CHANGE (an open set). */
  status: string;
  /** 退款申请时间, or 交易时间 in layouts without it. */
  appliedAt?: string;
  /** 退款成功时间, once the refund succeeded. */
  succeededAt?: string;
};

/** One total of the summary row, and the same total over the detail rows. */
export type BillTotal = { field: string; summary: number; rows: number };

/**
 * What a bill file holds, in file order: its refund rows, then the summary check (its totals as
 * the summary row states them and as the rows add up). Rows of other kinds (payments in an ALL
 * bill) only count towards the totals.
 */
export type BillItem =
  { kind: 'row'; row: BillRefundRow } | { kind: 'totals'; totals: BillTotal[] };

/** Where a bill came from: downloaded with an API version, or a file given by hand. */
export type BillSource = 'v2' | 'v3' | 'file';

/** A bill to reconcile: its items (read once, streamed), or none for a day without refunds. */
export type Bill =
  | {
      kind: 'bill';
      source: BillSource;
      items: AsyncIterable<BillItem>;
      /** Releases what holds the bill (a downloaded file), read or not. */
      close?: () => Promise<void>;
    }
  | { kind: 'none'; source: BillSource };
