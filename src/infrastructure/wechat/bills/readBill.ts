import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { BillUnreadable } from '../../../application/bills/billErrors.js';
import type { BillItem, BillRefundRow, BillTotal } from '../../../application/bills/billRecords.js';
import { errorMessage } from '../../../application/errorMessage.js';
import { chinaTimeToIso } from '../wechatFieldSchemas.js';
import { valuesOf, yuanToFen } from './billFormat.js';
import { peeked } from './peekedStream.js';

/** Columns every layout has and the reconciliation cannot do without (BILLS.md §2). */
const neededColumns = [
  '商户订单号',
  '微信订单号',
  '微信退款单号',
  '商户退款单号',
  '退款金额',
  '退款状态',
];

/** Detail totals checked against the summary row: the summary's column, the rows' column. */
const summedColumns: [string, string][] = [
  ['退款总金额', '退款金额'],
  ['充值券退款总金额', '充值券退款金额'],
  ['申请退款总金额', '申请退款金额'],
];

const summaryHeaderStart = '总交易单数';

const isGzip = (chunk: Buffer): boolean => chunk[0] === 0x1f && chunk[1] === 0x8b;

/** The bytes, gunzipped when they are gzip (a `tar_type=GZIP` download, or a saved .gz). */
export const uncompressed = async (input: AsyncIterable<Buffer>): Promise<Readable> => {
  const { first, all } = await peeked(input);
  if (first === undefined) throw new BillUnreadable('the file is empty');
  if (!isGzip(first)) return all;
  const gunzip = createGunzip();
  all.on('error', (error) => gunzip.destroy(error));
  return all.pipe(gunzip);
};

type Columns = { names: string[]; at: Map<string, number> };

const columnsOf = (line: string): Columns => {
  const names = line.split(',').map((name) => name.trim());
  return { names, at: new Map(names.map((name, i) => [name, i])) };
};

/**
 * Reads a bill file as WeChat delivers it (BILLS.md §2): gzip or not, BOM or not, CRLF or LF, any
 * layout whose header names the needed columns; amounts to fen from the digits. Yields its refund
 * rows as it reads them, then the summary check. A file that is not such a bill, a row that does
 * not parse, or a file that ends before its summary row throws BillUnreadable with the line: the
 * caller must not act on what it read before (the reconciliation acts after the last item).
 */
export async function* readBill(input: AsyncIterable<Buffer>): AsyncGenerator<BillItem> {
  let text: Readable;
  try {
    text = await uncompressed(input);
  } catch (error) {
    if (error instanceof BillUnreadable) throw error;
    throw new BillUnreadable(`the file cannot be read: ${errorMessage(error)}`);
  }
  const lines = createInterface({ input: text, crlfDelay: Infinity });
  let lineNo = 0;
  let header: Columns | undefined;
  let summaryHeader: Columns | undefined;
  let done = false;
  let detailRows = 0;
  /** Sums of the summed columns the header has. */
  const sums = new Map<string, number>();

  try {
    for await (const raw of lines) {
      lineNo += 1;
      const line = lineNo === 1 ? raw.replace(/^\uFEFF/, '') : raw;
      if (line.trim() === '') continue;
      const refuse = (detail: string) => new BillUnreadable(detail, lineNo);
      if (done) throw refuse('text after the summary row');
      if (header === undefined) {
        header = columnsOf(line);
        const missing = neededColumns.filter((column) => !header?.at.has(column));
        if (missing.length > 0) {
          throw refuse(`not a refund bill header: no ${missing.join(', ')} column`);
        }
        for (const [, column] of summedColumns) if (header.at.has(column)) sums.set(column, 0);
        continue;
      }
      if (summaryHeader === undefined && line.startsWith(summaryHeaderStart)) {
        summaryHeader = columnsOf(line);
        continue;
      }
      const values = valuesOf(line);
      if (values === undefined) throw refuse('not a bill row (values start with a backquote)');
      const columns = summaryHeader ?? header;
      if (values.length !== columns.names.length) {
        throw refuse(`${values.length} values where the header names ${columns.names.length}`);
      }
      const value = (column: string): string | undefined => {
        const index = columns.at.get(column);
        return index === undefined ? undefined : (values[index] ?? '').trim();
      };
      const amount = (column: string): number | undefined => {
        const text = value(column);
        if (text === undefined) return undefined;
        const fen = yuanToFen(text);
        if (fen === undefined) throw refuse(`${column} "${text}" is not an amount in yuan`);
        return fen;
      };
      if (summaryHeader !== undefined) {
        yield { kind: 'totals', totals: totalsOf(value, amount, refuse, detailRows, sums) };
        done = true;
        continue;
      }
      detailRows += 1;
      for (const [column, sum] of sums) sums.set(column, sum + (amount(column) ?? 0));
      // An ALL bill has payment rows too: they count towards the totals only.
      const tradeStatus = value('交易状态');
      if (tradeStatus !== undefined && tradeStatus !== 'REFUND') continue;
      yield { kind: 'row', row: refundRow(lineNo, value, amount, refuse) };
    }
  } catch (error) {
    if (error instanceof BillUnreadable) throw error;
    throw new BillUnreadable(
      `the file cannot be read: ${errorMessage(error)}`,
      lineNo > 0 ? lineNo : undefined,
    );
  } finally {
    lines.close();
    text.destroy();
  }
  if (header === undefined) throw new BillUnreadable('the file holds no bill');
  if (!done) throw new BillUnreadable('the file ends before its summary row (truncated?)', lineNo);
}

type Value = (column: string) => string | undefined;
type Amount = (column: string) => number | undefined;
type Refuse = (detail: string) => BillUnreadable;

const timeOf = (column: string, value: Value, refuse: Refuse): string | undefined => {
  const text = value(column);
  if (text === undefined || text === '') return undefined;
  const iso = chinaTimeToIso(text);
  if (iso === undefined) throw refuse(`${column} "${text}" is not a time yyyy-MM-dd HH:mm:ss`);
  return iso;
};

const refundRow = (line: number, value: Value, amount: Amount, refuse: Refuse): BillRefundRow => {
  const text = (column: string): string => {
    const found = value(column);
    if (!found) throw refuse(`${column} is empty`);
    return found;
  };
  const settledRefundFee = amount('退款金额') ?? 0;
  const orderFee = amount('订单金额');
  const appliedAt = timeOf('退款申请时间', value, refuse) ?? timeOf('交易时间', value, refuse);
  const succeededAt = timeOf('退款成功时间', value, refuse);
  return {
    line,
    outRefundNo: text('商户退款单号'),
    refundId: text('微信退款单号'),
    outTradeNo: text('商户订单号'),
    transactionId: text('微信订单号'),
    refundFee: amount('申请退款金额') ?? settledRefundFee,
    settledRefundFee,
    ...(orderFee !== undefined && orderFee > 0 && { orderFee }),
    status: text('退款状态'),
    ...(appliedAt !== undefined && { appliedAt }),
    ...(succeededAt !== undefined && { succeededAt }),
  };
};

const totalsOf = (
  value: Value,
  amount: Amount,
  refuse: Refuse,
  detailRows: number,
  sums: ReadonlyMap<string, number>,
): BillTotal[] => {
  const count = value(summaryHeaderStart) ?? '';
  if (!/^\d+$/.test(count)) throw refuse(`${summaryHeaderStart} "${count}" is not a count`);
  const totals: BillTotal[] = [
    { field: summaryHeaderStart, summary: Number(count), rows: detailRows },
  ];
  for (const [field, column] of summedColumns) {
    const summary = amount(field);
    const rows = sums.get(column);
    if (summary !== undefined && rows !== undefined) {
      totals.push({ field, summary, rows });
    }
  }
  return totals;
};
