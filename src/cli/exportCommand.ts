import { z } from 'zod';
import { CorruptEventError } from '../application/refundEventCodec.js';
import {
  exportColumns,
  refundExportRow,
  requestedWithin,
  type RequestedRange,
} from '../audit/refundExportRow.js';
import { replayRefundViews } from '../audit/replayRefundViews.js';
import type { RefundView } from '../projections/refundView.js';
import { openReadOnlyEventStore } from '../infrastructure/stores/openReadOnlyStores.js';
import { errorMessage } from '../application/errorMessage.js';
import { defineCommand } from './command.js';
import { writeAll } from './commandIo.js';
import { csvRecord, utf8Bom } from './csv.js';
import { UsageError } from './usageError.js';

const formats = ['csv', 'jsonl'] as const;
type Format = (typeof formats)[number];

const date = z.iso.date();

/** The options, checked together: a format, --bom with CSV only, a range of real dates. */
const exportOptions = (values: {
  format?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  bom: boolean;
}): { format: Format; range: RequestedRange; bom: boolean } => {
  const format = formats.find((known) => known === values.format);
  if (!format) throw new UsageError('--format must be csv or jsonl');
  if (values.bom && format !== 'csv') throw new UsageError('--bom goes with --format csv only');
  const range: RequestedRange = {};
  for (const bound of ['from', 'to'] as const) {
    const value = values[bound];
    if (value === undefined) continue;
    if (!date.safeParse(value).success)
      throw new UsageError(`--${bound} must be a date YYYY-MM-DD`);
    range[bound] = value;
  }
  if (range.from !== undefined && range.to !== undefined && range.from > range.to) {
    throw new UsageError('--from is after --to');
  }
  return { format, range, bom: values.bom };
};

/** The rows a thousand at a time: an export of a large log is never one string in memory. */
const chunks = function* (views: RefundView[], format: Format, bom: boolean) {
  if (format === 'csv') yield `${bom ? utf8Bom : ''}${csvRecord(exportColumns)}`;
  for (let start = 0; start < views.length; start += 1000) {
    yield views
      .slice(start, start + 1000)
      .map((view) => {
        const row = refundExportRow(view);
        return format === 'csv'
          ? csvRecord(exportColumns.map((column) => row[column]))
          : `${JSON.stringify(row)}\n`;
      })
      .join('');
  }
};

/**
 * `refunds export --format csv|jsonl [--from DATE] [--to DATE] [--bom]`: one row per refund with
 * its final state, replayed from the log (not the read model). --from/--to select by the date of
 * requestedAt in China time, both inclusive. Exit 1 when the log holds an event that cannot be
 * read (nothing is written then), 2 when the store cannot be read.
 */
export const exportCommand = defineCommand({
  name: 'export',
  options: {
    format: { type: 'string', value: 'csv|jsonl', required: true },
    from: { type: 'string', value: 'YYYY-MM-DD' },
    to: { type: 'string', value: 'YYYY-MM-DD' },
    bom: { type: 'boolean', default: false },
  },
  description:
    'one row per refund, replayed from the log; --from/--to select by requestedAt, ' +
    'China time (UTC+8), inclusive',
  run: async ({ values, config }, io) => {
    const { format, range, bom } = exportOptions(values);
    let events;
    try {
      events = openReadOnlyEventStore(config);
    } catch (error) {
      io.stderr.write(`Cannot export: ${errorMessage(error)}\n`);
      return 2;
    }
    try {
      const views = (await replayRefundViews(events)).filter((view) =>
        requestedWithin(view, range),
      );
      await writeAll(io.stdout, chunks(views, format, bom));
      io.stderr.write(`Exported ${views.length} refunds\n`);
      return 0;
    } catch (error) {
      if (error instanceof CorruptEventError) {
        io.stderr.write(
          `Cannot export: ${errorMessage(error)}\nrefunds audit lists every such event.\n`,
        );
        return 1;
      }
      io.stderr.write(`Cannot export: ${errorMessage(error)}\n`);
      return 2;
    } finally {
      await events.close();
    }
  },
});
