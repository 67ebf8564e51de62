import { z } from 'zod';
import {
  fenToYuan,
  headerLine,
  refundBillColumns,
} from '../infrastructure/wechat/bills/billFormat.js';
import { billSummaryLines, refundRowLine } from './refundBillLines.js';
import type { SandboxIdentity } from './sandboxIdentity.js';
import { chinaTimeOf, type SandboxLedger } from './sandboxLedger.js';
import type { SandboxRefund } from './sandboxRefund.js';

const date = z.iso.date();
const outRefundNo = z.string().min(1).max(64);

/**
 * Discrepancies planted in the sandbox's bills, for tests and demos (docs/sandbox.md): a row that
 * states another amount or status, a row left out, a summary total that is off, a bill that is
 * not generated yet. (A refund that is never notified is made with `simulateMerchantPlatformRefund`
 * and `notify: false`.)
 */
export const billPlanSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('amount'), outRefundNo, refundFee: z.number().int().nonnegative() }),
  z.object({ kind: z.literal('status'), outRefundNo, status: z.string().regex(/^[A-Z_]{1,32}$/) }),
  z.object({ kind: z.literal('omit'), outRefundNo }),
  z.object({ kind: z.literal('summary'), date, refundTotalDelta: z.number().int() }),
  /** STATEMENT_CREATING (v2: not generated) for the next `times` requests of the date. */
  z.object({ kind: z.literal('notReady'), date, times: z.number().int().positive().default(1) }),
]);

export type BillPlan = z.input<typeof billPlanSchema>;

/** What the bill of a date is now: not to be asked for yet, not generated, empty, or these lines. */
export type SandboxBill =
  | { kind: 'future' }
  | { kind: 'notReady' }
  | { kind: 'none' }
  | { kind: 'ready'; lines: () => Generator<string> };

/** A refund as its bill row states it (a planted discrepancy may change amount and status). */
export type SandboxBillRow = { refund: SandboxRefund; refundFee: number; status: string };
type Row = SandboxBillRow;

/** The detail row of a refund of the sandbox's ledger. */
const rowLine = ({ refund, refundFee, status }: Row, identity: SandboxIdentity): string => {
  const applied = chinaTimeOf(new Date(refund.createdAt));
  return refundRowLine({
    appid: identity.appid,
    mchId: identity.mchId,
    transactionId: refund.transactionId,
    outTradeNo: refund.outTradeNo,
    outRefundNo: refund.outRefundNo,
    refundId: refund.refundId,
    payer: 'oSandboxPayer0000000000000000',
    product: '沙箱商品',
    applied,
    succeeded: status === 'SUCCESS' ? (refund.successTime ?? applied) : '',
    refund: fenToYuan(refundFee),
    order: fenToYuan(refund.totalFee),
    status,
  });
};

/**
 * The sandbox's REFUND bills, made from its ledger when asked: a refund is in the bill of the
 * China date it was accepted on, as it stands at that moment. Unlike WeChat's (ready at 09:00 the
 * next day), a bill of today is ready at once; a planted `notReady` holds it back.
 */
export const createSandboxBills = ({
  ledger,
  identity,
  now,
}: {
  ledger: SandboxLedger;
  identity: SandboxIdentity;
  now: () => Date;
}) => {
  const rowPlans = new Map<string, BillPlan[]>();
  const summaryDeltas = new Map<string, number>();
  const holds = new Map<string, number>();

  const plant = (input: BillPlan): void => {
    const plan = billPlanSchema.parse(input);
    if (plan.kind === 'summary') {
      summaryDeltas.set(plan.date, (summaryDeltas.get(plan.date) ?? 0) + plan.refundTotalDelta);
    } else if (plan.kind === 'notReady') {
      holds.set(plan.date, (holds.get(plan.date) ?? 0) + plan.times);
    } else {
      rowPlans.set(plan.outRefundNo, [...(rowPlans.get(plan.outRefundNo) ?? []), plan]);
    }
  };

  const rowOf = (refund: SandboxRefund): Row | undefined => {
    let row: Row = { refund, refundFee: refund.refundFee, status: refund.status };
    for (const plan of rowPlans.get(refund.outRefundNo) ?? []) {
      if (plan.kind === 'omit') return undefined;
      if (plan.kind === 'amount') row = { ...row, refundFee: plan.refundFee };
      if (plan.kind === 'status') row = { ...row, status: plan.status };
    }
    return row;
  };

  const billOf = (billDate: string): SandboxBill => {
    if (billDate > chinaTimeOf(now()).slice(0, 10)) return { kind: 'future' };
    const held = holds.get(billDate) ?? 0;
    if (held > 0) {
      holds.set(billDate, held - 1);
      return { kind: 'notReady' };
    }
    const refunds = ledger
      .all()
      .filter((refund) => chinaTimeOf(new Date(refund.createdAt)).startsWith(billDate));
    if (refunds.length === 0) return { kind: 'none' };
    const rows = refunds.flatMap((refund) => rowOf(refund) ?? []);
    const delta = summaryDeltas.get(billDate) ?? 0;
    return { kind: 'ready', lines: () => billLines(rows, identity, delta) };
  };

  return { plant, billOf };
};

/**
 * A REFUND bill file's lines, streamed: the header (behind a BOM), a row per refund, the summary
 * with the refund total off by `delta` fen (a planted mismatch). Lines go out joined by CRLF.
 */
export function* billLines(
  rows: Iterable<Row>,
  identity: SandboxIdentity,
  delta = 0,
): Generator<string> {
  yield `\uFEFF${headerLine(refundBillColumns)}`;
  let count = 0;
  let refunded = 0;
  let ordered = 0;
  for (const row of rows) {
    count += 1;
    refunded += row.refundFee;
    ordered += row.refund.totalFee;
    yield rowLine(row, identity);
  }
  yield* billSummaryLines({
    count,
    refunded: fenToYuan(refunded + delta),
    ordered: fenToYuan(ordered),
    applied: fenToYuan(refunded),
  });
}

export type SandboxBills = ReturnType<typeof createSandboxBills>;
