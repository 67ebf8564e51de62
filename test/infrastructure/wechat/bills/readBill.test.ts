import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BillUnreadable } from '../../../../src/application/bills/billErrors.js';
import type { BillItem } from '../../../../src/application/bills/billRecords.js';
import { fenToYuan, yuanToFen } from '../../../../src/infrastructure/wechat/bills/billFormat.js';
import { readBill } from '../../../../src/infrastructure/wechat/bills/readBill.js';
import { allTypeHeader, allTypeRow, refundBill, refundRow, summaryLines } from './billFiles.js';

/** Everything the file holds, read in chunks of `chunk` bytes (lines cut across chunks). */
const read = async (bytes: Buffer | string, chunk = 7): Promise<BillItem[]> => {
  const buffer = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes, 'utf8');
  const chunks = [];
  for (let i = 0; i < buffer.length; i += chunk) chunks.push(buffer.subarray(i, i + chunk));
  const items: BillItem[] = [];
  for await (const item of readBill(Readable.from(chunks))) items.push(item);
  return items;
};

const rowsOf = (items: BillItem[]) =>
  items.flatMap((item) => (item.kind === 'row' ? [item.row] : []));

const refusal = async (bytes: Buffer | string): Promise<BillUnreadable> => {
  const error: unknown = await read(bytes).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(BillUnreadable);
  return error as BillUnreadable;
};

describe('reading a WeChat Pay refund bill', () => {
  it('given the real ALL-type row of BILLS.md, then the refund with its ids as strings and 0.01 as 1 fen, payment rows aside', async () => {
    const payment =
      '`2019-02-19 05:00:00,`wxab8acd895ab1638a,`1921000401,`0,`harryma007,`4200000263201902167700134212,`autotest_20190216081946_82335,`oHkLxtx0vUqe-18p_AXTZ1innxkCY,`JSAPI,`SUCCESS,`OTHERS,`CNY,`0.01,`0.00,`0,`0,`0.00,`0.00,`,`,`系统拨测,`,`0.00000,`0.60%,`0.01,`0.00,`';
    const file = [allTypeHeader, allTypeRow, payment, ...summaryLines(2, '0.01')].join('\n');

    const items = await read(file);

    expect(rowsOf(items)).toEqual([
      {
        line: 2,
        outRefundNo: 'REF4200000263201902167700963919',
        refundId: '50000709672019011908420787722',
        outTradeNo: 'autotest_20190216081946_82335',
        transactionId: '4200000263201902167700134212',
        refundFee: 1,
        settledRefundFee: 1,
        status: 'SUCCESS',
        appliedAt: '2019-02-19T05:01:46+08:00',
      },
    ]);
    expect(items.at(-1)).toEqual({
      kind: 'totals',
      totals: [
        { field: '总交易单数', summary: 2, rows: 2 },
        { field: '退款总金额', summary: 1, rows: 1 },
        { field: '充值券退款总金额', summary: 0, rows: 0 },
        { field: '申请退款总金额', summary: 1, rows: 1 },
      ],
    });
  });

  it.each([
    { bom: true, eol: '\r\n' },
    { bom: false, eol: '\r\n' },
    { bom: true, eol: '\n' },
    { bom: false, eol: '\n' },
  ])(
    'given the current REFUND layout with %o, then amounts to the exact fen and every time in China time',
    async (format) => {
      const file = refundBill(
        [
          refundRow({ outRefundNo: 'R1', refund: '0.01' }),
          refundRow({ outRefundNo: 'R2', refund: '19.90', order: '39.60', status: 'PROCESSING' }),
          refundRow({ outRefundNo: 'R3', refund: '1234567.89', succeeded: '2026-11-29 00:00:01' }),
        ],
        summaryLines(3, '1234587.80'),
        format,
      );

      for (const bytes of [file, gzipSync(Buffer.from(file, 'utf8'))]) {
        const items = await read(bytes);
        expect(rowsOf(items).map((row) => [row.outRefundNo, row.refundFee, row.orderFee])).toEqual([
          ['R1', 1, 1],
          ['R2', 1990, 3960],
          ['R3', 123456789, 123456789],
        ]);
        expect(rowsOf(items).map((row) => [row.status, row.appliedAt, row.succeededAt])).toEqual([
          ['SUCCESS', '2026-11-28T10:15:00+08:00', '2026-11-28T10:15:00+08:00'],
          ['PROCESSING', '2026-11-28T10:15:00+08:00', undefined],
          ['SUCCESS', '2026-11-28T10:15:00+08:00', '2026-11-29T00:00:01+08:00'],
        ]);
        expect(items.at(-1)).toMatchObject({
          totals: expect.arrayContaining([
            { field: '退款总金额', summary: 123458780, rows: 123458780 },
          ]),
        });
      }
    },
  );

  it('given an older layout (子商户号, 企业红包 columns, no 订单金额/申请退款金额/费率备注), then it is read by header name', async () => {
    const header =
      '交易时间,公众账号ID,商户号,子商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,总金额,企业红包金额,微信退款单号,商户退款单号,退款金额,企业红包退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率';
    const row =
      '`2016-05-04 11:40:40,`wx2421b1c4370ec43b,`10000100,`0,`,`1001690740201605040000001,`T-old,`oUpF8uN95-Ptaags6E_roPHg7AG0,`NATIVE,`REFUND,`CMC,`CNY,`0.00,`0.00,`2004990059201605040000017,`R-old,`19.90,`0.00,`ORIGINAL,`SUCCESS,`商品,`,`0.00000,`0.60%';
    const summary = [
      '总交易单数,总交易额,总退款金额,总企业红包退款金额,手续费总金额',
      '`1,`0.00,`19.90,`0.00,`0.00000',
    ];

    const items = await read([header, row, ...summary].join('\r\n'));

    expect(rowsOf(items)).toEqual([
      expect.objectContaining({ outRefundNo: 'R-old', refundFee: 1990, settledRefundFee: 1990 }),
    ]);
    expect(rowsOf(items)[0]).not.toHaveProperty('orderFee');
    expect(items.at(-1)).toEqual({
      kind: 'totals',
      totals: [{ field: '总交易单数', summary: 1, rows: 1 }],
    });
  });

  it.each([
    [
      'a header without 商户退款单号',
      (file: string) => file.replace('商户退款单号,', '退款单号,'),
      1,
      'no 商户退款单号 column',
    ],
    [
      'an amount that is not yuan',
      (file: string) => file.replace('`19.90,`0.00,`ORIGINAL', '`19.9O,`0.00,`ORIGINAL'),
      3,
      '退款金额 "19.9O"',
    ],
    [
      'a float with too many decimals',
      (file: string) => file.replace('`19.90,`0.00,`ORIGINAL', '`19.901,`0.00,`ORIGINAL'),
      3,
      'not an amount',
    ],
    [
      'a row with a value too few',
      (file: string) => file.replace(',`ORIGINAL,', ','),
      2,
      'values where the header names',
    ],
    [
      'a row without backquotes',
      (file: string) => file.replace('`R2,', 'R2,').replace(/`/g, ''),
      2,
      'not a bill row',
    ],
    [
      'an empty refund number',
      (file: string) => file.replace('`R2,', '`,'),
      3,
      '商户退款单号 is empty',
    ],
    [
      'a time that is none',
      (file: string) => file.replaceAll('2026-11-28 10:15:00', '2026-11-31 10:15:00'),
      2,
      '退款申请时间 "2026-11-31 10:15:00" is not a time',
    ],
    [
      'no summary (a truncated file)',
      (file: string) => file.slice(0, file.indexOf('总交易单数')),
      3,
      'ends before its summary row',
    ],
    [
      'text after the summary row',
      (file: string) => `${file}more\r\n`,
      6,
      'text after the summary row',
    ],
  ])('given %s, then the file is refused with the line', async (_case, spoil, line, message) => {
    const file = refundBill(
      [
        refundRow({ outRefundNo: 'R1', refund: '0.01' }),
        refundRow({ outRefundNo: 'R2', refund: '19.90' }),
      ],
      summaryLines(2, '19.91'),
    );
    const error = await refusal(spoil(file));
    expect(error.line).toBe(line);
    expect(error.message).toContain(`line ${line}: `);
    expect(error.message).toContain(message);
  });

  it('given an empty file, a broken gzip, or WeChat XML instead of a bill, then it is refused', async () => {
    expect((await refusal('')).message).toContain('empty');
    const gzip = gzipSync(
      Buffer.from(
        refundBill([refundRow({ outRefundNo: 'R1', refund: '1.00' })], summaryLines(1, '1.00')),
      ),
    );
    expect((await refusal(gzip.subarray(0, gzip.length - 9))).message).toContain('cannot be read');
    const xml = '<xml><return_code>FAIL</return_code><return_msg>No Bill Exist</return_msg></xml>';
    expect((await refusal(xml)).message).toContain('not a refund bill header');
  });

  it('property: any amount in fen written as yuan reads back as the same fen', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Math.floor(Number.MAX_SAFE_INTEGER / 100) }), (fen) => {
        expect(yuanToFen(fenToYuan(fen))).toBe(fen);
      }),
    );
    expect(yuanToFen('1.1')).toBe(110);
    expect(yuanToFen('9.8')).toBe(980);
    expect(yuanToFen('-1.00')).toBeUndefined();
    expect(yuanToFen('1e3')).toBeUndefined();
  });
});
