import { z } from 'zod';
import { BillUnavailable } from '../../../application/bills/billErrors.js';
import type { Bill } from '../../../application/bills/billRecords.js';
import { downloadedBill } from '../bills/downloadedBill.js';
import type { HttpsTransport } from '../httpsTransport.js';
import { describeIssues } from '../wechatFieldSchemas.js';
import type { V3Call } from './signedJsonCall.js';

const tradeBillSchema = z.object({
  hash_type: z.literal('SHA1'),
  hash_value: z.string().regex(/^[0-9A-Fa-f]{40}$/),
  download_url: z.url({ protocol: /^https$/ }),
});

export type V3BillDownloadOptions = {
  call: V3Call;
  /** The API's base URL: the download URL must be on its host (it gets our Authorization). */
  baseUrl: string;
  transport: HttpsTransport;
  /** The Authorization header of a GET of this path and query. */
  authorize: (canonicalUrl: string) => string;
};

/**
 * v3's REFUND bill of a date (WECHAT-V3.md §7): `GET /v3/bill/tradebill` (a signed answer, checked
 * like every other) gives a download URL and the SHA1 of the file; the file itself comes unsigned,
 * gzip, and is checked against that SHA1 once uncompressed. NO_STATEMENT_EXIST is a day without
 * refunds; STATEMENT_CREATING, or any other refusal, leaves the bill unavailable for now.
 */
export const createV3BillDownload =
  ({ call, baseUrl, transport, authorize }: V3BillDownloadOptions) =>
  async (date: string): Promise<Bill> => {
    const query = new URLSearchParams({ bill_date: date, bill_type: 'REFUND', tar_type: 'GZIP' });
    const result = await call({ method: 'GET', path: `/v3/bill/tradebill?${query.toString()}` });
    if (result.kind === 'refusal') {
      if (result.code === 'NO_STATEMENT_EXIST') return { kind: 'none', source: 'v3' };
      throw new BillUnavailable(
        `WeChat Pay has no bill of ${date} to give: ${result.code} ${result.message}`,
      );
    }
    if (result.kind !== 'answer') {
      throw new BillUnavailable(
        `WeChat Pay gave no bill of ${date}: ${result.code} ${result.message}`,
      );
    }
    const answer = tradeBillSchema.safeParse(result.body);
    if (!answer.success) {
      throw new BillUnavailable(
        `tradebill answered with no usable download: ${describeIssues(answer.error)}`,
      );
    }
    const url = new URL(answer.data.download_url);
    if (url.origin !== new URL(baseUrl).origin) {
      throw new BillUnavailable(`the bill's download_url is not on ${new URL(baseUrl).host}`);
    }
    const file = await transport.stream('GET', url.toString(), {
      headers: { authorization: authorize(`${url.pathname}${url.search}`) },
    });
    if (file.kind === 'failure') {
      throw new BillUnavailable(`the bill download failed: ${file.code} ${file.message}`);
    }
    if (file.status < 200 || file.status >= 300) {
      file.body.destroy();
      throw new BillUnavailable(`the bill download answered HTTP ${file.status}`);
    }
    return downloadedBill(file.body, { source: 'v3', sha1: answer.data.hash_value });
  };
