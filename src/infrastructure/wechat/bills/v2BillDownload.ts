import type { Readable } from 'node:stream';
import { BillUnavailable } from '../../../application/bills/billErrors.js';
import type { Bill } from '../../../application/bills/billRecords.js';
import type { HttpsTransport } from '../httpsTransport.js';
import type { RateLimiter } from '../rateLimiter.js';
import { withSign, type SignType } from '../sign.js';
import { buildWechatXml, parseWechatXml, WechatXmlError } from '../xmlCodec.js';
import { downloadedBill } from './downloadedBill.js';
import { peeked } from './peekedStream.js';

export type V2BillDownloadOptions = {
  baseUrl: string;
  appid: string;
  mchId: string;
  apiKey: string;
  signType: SignType;
  transport: HttpsTransport;
  limiter: RateLimiter;
  nonce: () => string;
};

/** WeChat's failure answers are a few hundred bytes of XML; more is no such answer. */
const maxFailureBytes = 64 * 1024;

const readSmall = async (body: Readable): Promise<Buffer> => {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += (chunk as Buffer).length;
    if (size > maxFailureBytes) break;
    chunks.push(chunk as Buffer);
  }
  body.destroy();
  return Buffer.concat(chunks);
};

/** A failure answer is XML; a bill is CSV text (BOM or not) or gzip. */
const isXml = (first: Buffer): boolean =>
  first
    .subarray(0, 64)
    .toString('utf8')
    .replace(/^\uFEFF/, '')
    .trimStart()
    .startsWith('<xml');

/**
 * v2 `POST /pay/downloadbill` (BILLS.md §1): the REFUND bill of a date, gzip. The answer is the
 * bill itself, or an unsigned XML failure told apart by its first bytes: `No Bill Exist` (no
 * refunds that day) is no bill, anything else (not generated yet, a refused sign) unavailable.
 */
export const createV2BillDownload =
  ({ baseUrl, appid, mchId, apiKey, signType, transport, limiter, nonce }: V2BillDownloadOptions) =>
  async (date: string): Promise<Bill> => {
    const request = withSign(
      {
        appid,
        mch_id: mchId,
        nonce_str: nonce(),
        sign_type: signType,
        bill_date: date.replaceAll('-', ''),
        bill_type: 'REFUND',
        tar_type: 'GZIP',
      },
      apiKey,
      signType,
    );
    await limiter.acquire('query'); // a read: only the rate refunds leave
    const result = await transport.stream(
      'POST',
      `${baseUrl.replace(/\/+$/, '')}/pay/downloadbill`,
      {
        headers: { 'content-type': 'text/xml' },
        body: buildWechatXml(request),
      },
    );
    if (result.kind === 'failure') {
      throw new BillUnavailable(`WeChat Pay cannot be reached: ${result.code} ${result.message}`);
    }
    if (result.status < 200 || result.status >= 300) {
      result.body.destroy();
      throw new BillUnavailable(`WeChat Pay answered HTTP ${result.status} to downloadbill`);
    }
    const { first, all } = await peeked(result.body);
    if (first === undefined)
      throw new BillUnavailable('WeChat Pay answered downloadbill with nothing');
    if (!isXml(first)) return downloadedBill(all, { source: 'v2' });
    let answer: Record<string, string>;
    try {
      answer = parseWechatXml(await readSmall(all));
    } catch (error) {
      if (!(error instanceof WechatXmlError)) throw error;
      throw new BillUnavailable(`WeChat Pay's downloadbill answer is not XML: ${error.message}`);
    }
    const message = answer.return_msg ?? answer.err_code_des ?? 'no return_msg';
    if (message === 'No Bill Exist' || answer.error_code === '20002') {
      return { kind: 'none', source: 'v2' };
    }
    const code = answer.error_code ?? answer.err_code;
    throw new BillUnavailable(
      `WeChat Pay has no bill of ${date} to give: ${message}${code ? ` (${code})` : ''}`,
    );
  };
