import { createHash, randomBytes } from 'node:crypto';
import { billFileBytes } from './sandboxBillAnswers.js';
import type { SandboxBills } from './sandboxBills.js';
import type { V3Answers, V3ApiAnswer, V3ApiRequest } from './sandboxV3Answers.js';

/**
 * v3's refund bill (WECHAT-V3.md §7): GET /v3/bill/tradebill answers the SHA1 of the uncompressed
 * file and a download URL; the URL answers the file itself, not signed.
 */
export const sandboxV3BillDownloads = ({
  bills,
  baseUrl,
  answers: { answer, error },
}: {
  bills: SandboxBills;
  /** Where the sandbox listens: download URLs point there. */
  baseUrl: () => string;
  answers: V3Answers;
}) => {
  /** Bill files handed out by tradebill, by the token of their download URL (the latest few). */
  const billFiles = new Map<string, Buffer>();

  const tradeBill = (request: V3ApiRequest, query: URLSearchParams): V3ApiAnswer => {
    const billDate = query.get('bill_date') ?? '';
    if (!/^\d{4}-\d{2}-\d{2}$/.test(billDate) || query.get('bill_type') !== 'REFUND') {
      return error(request, 400, 'PARAM_ERROR', 'bill_date YYYY-MM-DD and bill_type REFUND');
    }
    const bill = bills.billOf(billDate);
    if (bill.kind === 'future')
      return error(request, 400, 'PARAM_ERROR', 'bill_date is in the future');
    if (bill.kind === 'notReady') {
      return error(request, 400, 'STATEMENT_CREATING', '账单生成中，请稍后再试');
    }
    if (bill.kind === 'none') return error(request, 400, 'NO_STATEMENT_EXIST', '账单不存在');
    const lines = [...bill.lines()];
    const token = randomBytes(16).toString('hex');
    billFiles.set(token, billFileBytes(lines, query.get('tar_type') === 'GZIP'));
    if (billFiles.size > 32) billFiles.delete(billFiles.keys().next().value ?? '');
    return answer(request, 200, {
      hash_type: 'SHA1',
      hash_value: createHash('sha1').update(billFileBytes(lines, false)).digest('hex'),
      download_url: `${baseUrl()}/v3/billdownload/file?token=${token}`,
    });
  };

  const billFile = (request: V3ApiRequest, query: URLSearchParams): V3ApiAnswer => {
    const file = billFiles.get(query.get('token') ?? '');
    if (file === undefined) return error(request, 404, 'RESOURCE_NOT_EXISTS', 'no such bill file');
    return { status: 200, headers: { 'content-type': 'application/octet-stream' }, body: file };
  };
  return { tradeBill, billFile };
};
