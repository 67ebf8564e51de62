import { gzipSync } from 'node:zlib';
import { buildWechatXml } from '../infrastructure/wechat/xmlCodec.js';
import type { SandboxBill } from './sandboxBills.js';

/** A bill file's bytes as WeChat sends them: CRLF lines, gzip when asked (`tar_type=GZIP`). */
export const billFileBytes = (lines: Iterable<string>, gzip: boolean): Buffer => {
  const text = Buffer.from(`${[...lines].join('\r\n')}\r\n`, 'utf8');
  return gzip ? gzipSync(text) : text;
};

export type BillAnswer = { status: number; headers: Record<string, string>; body: Buffer | string };

const failure = (returnMsg: string, errorCode: string): BillAnswer => ({
  status: 200,
  headers: { 'content-type': 'text/xml; charset=utf-8' },
  body: buildWechatXml({ return_code: 'FAIL', return_msg: returnMsg, error_code: errorCode }),
});

/**
 * v2 `pay/downloadbill` once the envelope (sign) passed (BILLS.md §1): the bill itself, gzip or
 * plain, or WeChat's unsigned XML failure.
 */
export const answerDownloadBill = (
  fields: Readonly<Record<string, string>>,
  billOf: (date: string) => SandboxBill,
): BillAnswer => {
  const match = /^(\d{4})(\d{2})(\d{2})$/.exec(fields.bill_date ?? '');
  if (!match) return failure('invalid bill_date', '20001');
  if ((fields.bill_type ?? 'ALL') !== 'REFUND') {
    return failure('the sandbox serves REFUND bills only', '20001');
  }
  const bill = billOf(`${match[1]}-${match[2]}-${match[3]}`);
  switch (bill.kind) {
    case 'future':
      return failure('invalid bill_date', '20001');
    case 'notReady':
      return failure('账单生成中，请稍后再试 (the bill is not generated yet)', '20003');
    case 'none':
      return failure('No Bill Exist', '20002');
    case 'ready': {
      const gzip = fields.tar_type === 'GZIP';
      return {
        status: 200,
        headers: {
          'content-type': gzip ? 'application/octet-stream' : 'text/plain; charset=utf-8',
        },
        body: billFileBytes(bill.lines(), gzip),
      };
    }
  }
};
