import type { Discrepancy, Reconciliation } from '../application/bills/reconciliation.js';
import { discrepancyKinds } from '../application/bills/reconciliation.js';
import { formatCount, formatYuan } from './formatMoney.js';
import { textTable } from './textTable.js';

const sources: Record<Reconciliation['billSource'], string> = {
  v2: 'downloaded with API v2',
  v3: 'downloaded with API v3',
  file: 'read from a file',
};

const billLine = ({ bill }: Discrepancy): string => {
  if (bill === undefined) return 'no row';
  const refunded =
    bill.settledRefundFee === bill.refundFee
      ? ''
      : `, ${formatYuan(bill.settledRefundFee)} refunded`;
  return `line ${bill.line}: ${bill.status}, ${formatYuan(bill.refundFee)} CNY${refunded}, refund ${bill.refundId}, order ${bill.outTradeNo}${bill.appliedAt ? `, applied ${bill.appliedAt}` : ''}`;
};

const logLine = ({ log }: Discrepancy): string =>
  log === undefined
    ? 'no refund'
    : `${log.status}, ${formatYuan(log.refundFee)} CNY${log.refundId ? `, refund ${log.refundId}` : ''}, origin ${log.origin}${log.billDate ? `, taken by WeChat on ${log.billDate}` : ''}`;

const outcome = (discrepancy: Discrepancy): string[] => {
  if (discrepancy.kind !== 'missingFromLog') return [];
  if (discrepancy.recorded)
    return ['    recorded as a refund of origin wechat (metadata source bill)'];
  return [`    not recorded${discrepancy.note ? `: ${discrepancy.note}` : ''}`];
};

const entry = (discrepancy: Discrepancy): string[] => {
  const { total } = discrepancy;
  if (total !== undefined) {
    const amount = total.field === '总交易单数' ? formatCount : formatYuan;
    return [
      `${discrepancy.kind}  ${total.field}: the summary row says ${amount(total.summary)}, the rows add up to ${amount(total.rows)}`,
    ];
  }
  return [
    `${discrepancy.kind}  ${discrepancy.outRefundNo}`,
    `    bill  ${billLine(discrepancy)}`,
    `    log   ${logLine(discrepancy)}`,
    ...outcome(discrepancy),
  ];
};

/** The reconciliation for people: what was compared, the counts, then each discrepancy with both sides. */
export const formatReconciliation = (reconciliation: Reconciliation): string => {
  const { date, counts, discrepancies } = reconciliation;
  const bill = reconciliation.billExists
    ? `${formatCount(reconciliation.billRows)} refund rows`
    : 'no bill: WeChat Pay had no refunds that day';
  const head = [
    `WeChat Pay refund bill of ${date} (China time), ${sources[reconciliation.billSource]}: ${bill}`,
    `checked against the log at ${reconciliation.checkedAt}: ${reconciliation.clean ? 'clean' : `${formatCount(discrepancies.length)} discrepancies`}`,
    '',
  ];
  const table = textTable(
    [
      ['matched', formatCount(counts.matched)],
      ...discrepancyKinds.map((kind) => [kind, formatCount(counts[kind])]),
    ],
    { right: [1] },
  );
  const details = discrepancies.length === 0 ? [] : ['', ...discrepancies.flatMap(entry)];
  return `${head.join('\n')}\n${table}${details.map((line) => `${line}\n`).join('')}`;
};
