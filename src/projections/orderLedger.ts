import { z } from 'zod';
import {
  addFen,
  assertNever,
  refundStatuses,
  type FailureStage,
  type RefundEvent,
  type RefundStatus,
} from '../domain/index.js';
import type { Projection } from './projection.js';

export type LedgerEntry = {
  outRefundNo: string;
  status: RefundStatus;
  refundFee: number;
  /** Where a FAILED refund failed: one that failed at request does not count to WeChat's 50. */
  stage?: FailureStage;
};

/** Per order: what is refunded, what is on its way, and the refunds behind the sums. */
export type OrderLedger = {
  outTradeNo: string;
  totalFee: number;
  /** Sum of SUCCEEDED refunds. */
  refundedFee: number;
  /** Sum of REQUESTED and ACCEPTED refunds; FAILED ones count nowhere. */
  pendingFee: number;
  refunds: LedgerEntry[];
};

const withSums = (ledger: Omit<OrderLedger, 'refundedFee' | 'pendingFee'>): OrderLedger => {
  const sum = (statuses: RefundStatus[]) =>
    ledger.refunds
      .filter((entry) => statuses.includes(entry.status))
      .reduce((total, entry) => addFen(total, entry.refundFee), 0);
  return {
    outTradeNo: ledger.outTradeNo,
    totalFee: ledger.totalFee,
    refundedFee: sum(['SUCCEEDED']),
    pendingFee: sum(['REQUESTED', 'ACCEPTED']),
    refunds: ledger.refunds,
  };
};

const withStatus = (
  ledger: OrderLedger,
  outRefundNo: string,
  status: RefundStatus,
  stage?: FailureStage,
): OrderLedger =>
  withSums({
    ...ledger,
    refunds: ledger.refunds.map((entry) => {
      if (entry.outRefundNo !== outRefundNo) return entry;
      const { stage: _previous, ...rest } = entry;
      return { ...rest, status, ...(stage !== undefined && { stage }) };
    }),
  });

export const evolveOrderLedger = (
  ledger: OrderLedger | null,
  event: RefundEvent,
): OrderLedger | null => {
  if (event.type === 'RefundRequested') {
    const { outRefundNo, outTradeNo, totalFee, refundFee } = event.data;
    const entry: LedgerEntry = { outRefundNo, status: 'REQUESTED', refundFee };
    if (!ledger) return withSums({ outTradeNo, totalFee, refunds: [entry] });
    const others = ledger.refunds.filter((e) => e.outRefundNo !== outRefundNo);
    // A retry keeps the refund's place in the order's history.
    const known = others.length < ledger.refunds.length;
    return known
      ? withStatus(ledger, outRefundNo, 'REQUESTED')
      : withSums({ ...ledger, refunds: [...ledger.refunds, entry] });
  }
  if (!ledger) return null;
  switch (event.type) {
    case 'RefundAccepted':
      return withStatus(ledger, event.data.outRefundNo, 'ACCEPTED');
    case 'RefundSucceeded':
      return withStatus(ledger, event.data.outRefundNo, 'SUCCEEDED');
    case 'RefundFailed':
      return withStatus(ledger, event.data.outRefundNo, 'FAILED', event.data.stage);
    default:
      return assertNever(event);
  }
};

const status = z.enum(refundStatuses);
const orderLedgerSchema = z.object({
  outTradeNo: z.string(),
  totalFee: z.number().int(),
  refundedFee: z.number().int(),
  pendingFee: z.number().int(),
  refunds: z.array(
    z.object({
      outRefundNo: z.string(),
      status,
      refundFee: z.number().int(),
      stage: z.enum(['request', 'settlement']).exactOptional(),
    }),
  ),
}) satisfies z.ZodType<OrderLedger>;

export const orderLedgerProjection: Projection<OrderLedger> = {
  name: 'order_ledger',
  // 2: entries of FAILED refunds say at which stage (TOO_MANY_REFUNDS).
  version: 2,
  indexes: [],
  decode: (value) => orderLedgerSchema.parse(value),
  documentId: (event) => event.data.outTradeNo,
  evolve: evolveOrderLedger,
};
