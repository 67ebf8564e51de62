import { z } from 'zod';
import { encryptAead } from '../infrastructure/wechat/v3/aeadCipher.js';
import { describeIssues } from '../infrastructure/wechat/wechatFieldSchemas.js';
import type { SandboxIdentity } from './sandboxIdentity.js';
import type { SandboxBills } from './sandboxBills.js';
import type { SandboxLedger } from './sandboxLedger.js';
import type { SandboxRefundFlow } from './sandboxRefundFlow.js';
import { refundDescriptionField, sharedRefundFields } from './sandboxRefundRequest.js';
import { v3Answers, type V3ApiAnswer, type V3ApiRequest } from './sandboxV3Answers.js';
import { v3AuthorizationProblem } from './sandboxV3Authorization.js';
import { sandboxV3BillDownloads } from './sandboxV3BillDownloads.js';
import type { SandboxV3Keys } from './sandboxV3Keys.js';
import { v3RefundObject } from './sandboxV3Protocol.js';

const fen = z.number().int().positive().max(2_147_483_647);

// POST /v3/refund/domestic/refunds (WECHAT-V3.md §1).
const refundRequestSchema = z
  .object({
    ...sharedRefundFields,
    reason: refundDescriptionField,
    funds_account: z.literal('AVAILABLE').optional(),
    amount: z.object({ refund: fen, total: fen, currency: z.literal('CNY') }),
  })
  .refine((body) => body.transaction_id !== undefined || body.out_trade_no !== undefined, {
    message: 'transaction_id or out_trade_no is required',
  })
  .refine((body) => body.amount.refund <= body.amount.total, {
    message: 'amount.refund must not exceed amount.total',
  });

/** v2's err_code as v3 answers it: HTTP status and code (WECHAT-V3.md §3). */
const v3Errors: Record<string, [number, string]> = {
  NOTENOUGH: [403, 'NOT_ENOUGH'],
  SYSTEMERROR: [500, 'SYSTEM_ERROR'],
  FREQUENCY_LIMITED: [429, 'FREQUENCY_LIMITED'],
  PARAM_ERROR: [400, 'PARAM_ERROR'],
};

const refundPath = /^\/v3\/refund\/domestic\/refunds\/([^/?]+)$/;

/**
 * WeChat Pay v3 as the sandbox plays it, on the same base URL as v2: the merchant's request
 * signature is checked (401 SIGN_ERROR otherwise), refunds go through the same flow and ledger as
 * v2's, and every answer is signed with the public key when the request names it in
 * Wechatpay-Serial, with the platform certificate otherwise.
 */
export const createSandboxV3Api = ({
  identity,
  keys,
  flow,
  ledger,
  bills,
  baseUrl,
  corrupt,
  now,
}: {
  identity: SandboxIdentity;
  keys: SandboxV3Keys;
  flow: SandboxRefundFlow;
  ledger: SandboxLedger;
  bills: SandboxBills;
  /** Where the sandbox listens: download URLs point there. */
  baseUrl: () => string;
  corrupt: () => boolean;
  now: () => Date;
}) => {
  const answers = v3Answers({ keys, corrupt, now });
  const { answer, error } = answers;
  const billDownloads = sandboxV3BillDownloads({ bills, baseUrl, answers });

  const createRefund = async (request: V3ApiRequest): Promise<V3ApiAnswer> => {
    let input: unknown;
    try {
      input = JSON.parse(request.body.toString('utf8'));
    } catch {
      return error(request, 400, 'PARAM_ERROR', 'the body is not JSON');
    }
    const parsed = refundRequestSchema.safeParse(input);
    if (!parsed.success) return error(request, 400, 'PARAM_ERROR', describeIssues(parsed.error));
    const body = parsed.data;
    const result = await flow.refund({
      outRefundNo: body.out_refund_no,
      ...(body.out_trade_no !== undefined && { outTradeNo: body.out_trade_no }),
      ...(body.transaction_id !== undefined && { transactionId: body.transaction_id }),
      totalFee: body.amount.total,
      refundFee: body.amount.refund,
      ...(body.reason !== undefined && { description: body.reason }),
      ...(body.funds_account !== undefined && { fundsAccount: body.funds_account }),
      ...(body.notify_url !== undefined && { notifyUrl: body.notify_url }),
      api: 'v3',
    });
    if (result.kind === 'accepted') return answer(request, 200, v3RefundObject(result.refund));
    const [status, code] = v3Errors[result.errCode] ?? [400, 'INVALID_REQUEST'];
    return error(request, status, code, result.errCodeDes);
  };

  const certificates = (request: V3ApiRequest): V3ApiAnswer => {
    const sealed = encryptAead(identity.apiV3Key, keys.platformCertificate.pem, 'certificate');
    const validity = new Date(now().getTime() + 5 * 365 * 24 * 3600_000);
    return answer(request, 200, {
      data: [
        {
          serial_no: keys.platformCertificate.serial,
          effective_time: new Date(now().getTime() - 24 * 3600_000).toISOString(),
          expire_time: validity.toISOString(),
          encrypt_certificate: {
            algorithm: 'AEAD_AES_256_GCM',
            nonce: sealed.nonce,
            associated_data: sealed.associatedData,
            ciphertext: sealed.ciphertext,
          },
        },
      ],
    });
  };

  return async (request: V3ApiRequest): Promise<V3ApiAnswer> => {
    const refused = v3AuthorizationProblem(request, { mchId: identity.mchId, keys, now });
    if (refused) return error(request, refused.status, refused.code, refused.message);
    const path = request.url.split('?')[0] ?? '';
    if (request.method === 'POST' && path === '/v3/refund/domestic/refunds') {
      return createRefund(request);
    }
    const queried = refundPath.exec(path)?.[1];
    if (request.method === 'GET' && queried !== undefined) {
      const outRefundNo = decodeURIComponent(queried);
      if (!ledger.admitCall('query', outRefundNo)) {
        return error(request, 429, 'FREQUENCY_LIMITED', '频率限制');
      }
      const refund = ledger.query({ outRefundNo })[0];
      return refund
        ? answer(request, 200, v3RefundObject(refund))
        : error(request, 404, 'RESOURCE_NOT_EXISTS', '退款单不存在');
    }
    if (request.method === 'GET' && path === '/v3/certificates') return certificates(request);
    const query = new URLSearchParams(request.url.split('?')[1] ?? '');
    if (request.method === 'GET' && path === '/v3/bill/tradebill')
      return billDownloads.tradeBill(request, query);
    if (request.method === 'GET' && path === '/v3/billdownload/file')
      return billDownloads.billFile(request, query);
    return error(request, 404, 'NOT_FOUND', `no such endpoint: ${request.method} ${path}`);
  };
};
