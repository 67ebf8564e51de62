import type { AuditReport, ReadModelCheck } from '../audit/auditReport.js';
import { formatCount, formatYuan } from './formatMoney.js';
import { textTable } from './textTable.js';

/** How many stale refunds and anomalies the human report lists; --json lists up to 10,000 of each. */
const listed = 20;
const listedAnomalies = 100;

const age = (seconds: number): string => {
  const days = Math.floor(seconds / 86_400);
  const hours = Math.floor((seconds % 86_400) / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  if (days > 0) return `${days}d ${hours}h`;
  if (hours > 0) return `${hours}h ${minutes}m`;
  return `${minutes}m ${seconds % 60}s`;
};

/** Some messages (a decoding failure's) span lines; a table row must not. */
const oneLine = (text: string): string => text.replace(/\s+/g, ' ');

const section = (title: string, body: string): string => `\n${title}\n${body}`;

const readModelLine = (check: ReadModelCheck): string[] =>
  check.checked
    ? [
        check.name,
        `generation ${check.generation}, checkpoint ${check.checkpoint ?? 'none'}`,
        `${formatCount(check.compared)} equal, ${formatCount(check.notYetProjected)} not yet projected, ` +
          `${formatCount(check.newerThanAudit)} newer than the audit`,
      ]
    : [check.name, 'not compared', check.reason];

/** The audit report as tables for a person; `refunds audit --json` prints the same findings. */
export const formatAuditReport = (
  report: AuditReport,
  { dataDir }: { dataDir: string },
): string => {
  const { log, statuses, stale, anomalies } = report;
  const parts: string[] = [
    `Refund audit of ${dataDir} at ${report.auditedAt}\n`,
    `${formatCount(log.events)} events up to position ${log.headPosition ?? '-'}, ` +
      `${formatCount(log.refunds)} refunds, ${formatCount(log.orders)} orders\n`,
  ];

  const statusRows = Object.entries(statuses)
    .filter(([status, count]) => status !== 'UNKNOWN' || count > 0)
    .map(([status, count]) => [status, formatCount(count)]);
  parts.push(section('Refunds by status', textTable(statusRows, { right: [1] })));

  parts.push(
    section(
      "Refunded by day (China time, UTC+8, by the date of RefundSucceeded's successTime)",
      report.refundedByDay.length === 0
        ? '  none\n'
        : textTable(
            [
              ['date', 'refunds', 'fen', 'CNY'],
              ...report.refundedByDay.map((day) => [
                day.date,
                formatCount(day.refunds),
                formatCount(day.refundFee),
                formatYuan(day.refundFee),
              ]),
            ],
            { right: [1, 2, 3] },
          ),
    ),
  );

  if (report.failed.length > 0) {
    parts.push(
      section(
        'Failed refunds (reported, not anomalies)',
        textTable(
          [
            ['stage', 'code', 'refunds'],
            ...report.failed.map((f) => [f.stage, f.code, formatCount(f.refunds)]),
          ],
          { right: [2] },
        ),
      ),
    );
  }

  const staleTitle =
    `Stale refunds: ${formatCount(stale.total)} REQUESTED or ACCEPTED with no event ` +
    `for more than ${stale.afterSeconds} s (reported, not anomalies)`;
  parts.push(
    section(
      staleTitle,
      stale.refunds.length === 0
        ? ''
        : textTable([
            ['outRefundNo', 'status', 'last event', 'age'],
            ...stale.refunds
              .slice(0, listed)
              .map((s) => [s.outRefundNo, s.status, s.lastEventAt, age(s.ageSeconds)]),
          ]) + more(stale.total - Math.min(stale.refunds.length, listed)),
    ),
  );

  parts.push(
    section(
      'Read models compared with the replay of the log',
      textTable(report.readModels.map(readModelLine)),
    ),
  );

  if (anomalies.total === 0) {
    parts.push('\nAnomalies: none\n\nResult: clean\n');
    return parts.join('');
  }
  const byKind = anomalies.byKind.map(({ kind, count }) => `${kind} ${count}`).join(', ');
  parts.push(
    section(
      `Anomalies: ${formatCount(anomalies.total)} (${byKind})`,
      textTable([
        ['kind', 'stream', 'revision', 'what'],
        ...anomalies.listed
          .slice(0, listedAnomalies)
          .map((a) => [a.kind, a.stream ?? '-', a.revision ?? '-', oneLine(a.message)]),
      ]) + more(anomalies.total - Math.min(anomalies.listed.length, listedAnomalies)),
    ),
  );
  parts.push(`\nResult: ${formatCount(anomalies.total)} anomalies\n`);
  return parts.join('');
};

const more = (count: number): string =>
  count > 0 ? `  … and ${formatCount(count)} more (refunds audit --json lists up to 10,000)\n` : '';
