import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { encryptAead } from '../infrastructure/wechat/v3/aeadCipher.js';
import {
  parseAuthorization,
  requestMessage,
  type AuthorizationParameters,
} from '../infrastructure/wechat/v3/authorization.js';
import { verifyRsaSignature } from '../infrastructure/wechat/v3/rsaVerifier.js';
import { signatureWindowSeconds } from '../infrastructure/wechat/v3/wechatpaySignature.js';
import { describeIssues } from '../infrastructure/wechat/wechatFieldSchemas.js';
import type { SandboxIdentity } from './sandboxIdentity.js';
import { billFileBytes } from './sandboxBillAnswers.js';
import type { SandboxBills } from './sandboxBills.js';
import type { SandboxLedger } from './sandboxLedger.js';
import type { SandboxRefundFlow } from './sandboxRefundFlow.js';
import { refundDescriptionField, sharedRefundFields } from './sandboxRefundRequest.js';
import type { SandboxV3Keys } from './sandboxV3Keys.js';
import {
  v3RefundObject,
  wechatpaySignatureHeaders,
  type WechatpaySigningKey,
} from './sandboxV3Protocol.js';

export type V3ApiRequest = {
  method: string;
  /** Path and query as sent: what the merchant signed. */
  url: string;
  headers: Readonly<Record<string, string | string[] | undefined>>;
  body: Buffer;
};

export type V3ApiAnswer = {
  status: number;
  headers: Record<string, string>;
  body: string | Buffer;
};

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
  const platformCertificateKey: WechatpaySigningKey = {
    serial: keys.platformCertificate.serial,
    sign: keys.platformCertificate.sign,
  };
  const publicKey: WechatpaySigningKey = { serial: keys.publicKey.id, sign: keys.publicKey.sign };

  const answer = (request: V3ApiRequest, status: number, value: unknown): V3ApiAnswer => {
    const body = JSON.stringify(value);
    const key =
      request.headers['wechatpay-serial'] === publicKey.serial ? publicKey : platformCertificateKey;
    return {
      status,
      headers: {
        'content-type': 'application/json; charset=utf-8',
        'request-id': randomBytes(16).toString('hex'),
        ...wechatpaySignatureHeaders(key, body, now(), corrupt()),
      },
      body,
    };
  };
  const error = (request: V3ApiRequest, status: number, code: string, message: string) =>
    answer(request, status, { code, message });

  /** The merchant's Authorization (WECHAT-V3.md §4), checked as WeChat does. */
  const signatureProblem = (
    request: V3ApiRequest,
    authorization: AuthorizationParameters,
  ): string | undefined => {
    if (authorization.serial_no !== keys.merchantSerialNo) {
      return `serial_no ${authorization.serial_no} is not the merchant's API certificate`;
    }
    const seconds = Number(authorization.timestamp);
    if (!(Math.abs(now().getTime() / 1000 - seconds) < signatureWindowSeconds)) {
      return 'the Authorization timestamp is more than 5 minutes away';
    }
    const message = requestMessage(
      { method: request.method, canonicalUrl: request.url, body: request.body.toString('utf8') },
      authorization.timestamp,
      authorization.nonce_str,
    );
    return verifyRsaSignature(message, authorization.signature, keys.merchantPublicKey)
      ? undefined
      : 'the signature does not verify with the merchant API certificate';
  };

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

  /** Bill files handed out by tradebill, by the token of their download URL (the latest few). */
  const billFiles = new Map<string, Buffer>();

  // GET /v3/bill/tradebill (WECHAT-V3.md §7): the SHA1 of the uncompressed file, and where it is.
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

  // The download URL's answer: the file itself, not signed.
  const billFile = (request: V3ApiRequest, query: URLSearchParams): V3ApiAnswer => {
    const file = billFiles.get(query.get('token') ?? '');
    if (file === undefined) return error(request, 404, 'RESOURCE_NOT_EXISTS', 'no such bill file');
    return { status: 200, headers: { 'content-type': 'application/octet-stream' }, body: file };
  };

  return async (request: V3ApiRequest): Promise<V3ApiAnswer> => {
    const header = request.headers['authorization'];
    const authorization = parseAuthorization(Array.isArray(header) ? header[0] : header);
    if (authorization === undefined) {
      return error(request, 401, 'SIGN_ERROR', 'Authorization is not WECHATPAY2-SHA256-RSA2048');
    }
    if (authorization.mchid !== identity.mchId) {
      return error(request, 404, 'MCH_NOT_EXISTS', 'mchid does not exist');
    }
    const problem = signatureProblem(request, authorization);
    if (problem !== undefined) return error(request, 401, 'SIGN_ERROR', problem);
    const path = request.url.split('?')[0] ?? '';
    if (request.method === 'POST' && path === '/v3/refund/domestic/refunds') {
      return createRefund(request);
    }
    const queried = refundPath.exec(path)?.[1];
    if (request.method === 'GET' && queried !== undefined) {
      const refund = ledger.query({ outRefundNo: decodeURIComponent(queried) })[0];
      return refund
        ? answer(request, 200, v3RefundObject(refund))
        : error(request, 404, 'RESOURCE_NOT_EXISTS', '退款单不存在');
    }
    if (request.method === 'GET' && path === '/v3/certificates') return certificates(request);
    const query = new URLSearchParams(request.url.split('?')[1] ?? '');
    if (request.method === 'GET' && path === '/v3/bill/tradebill') return tradeBill(request, query);
    if (request.method === 'GET' && path === '/v3/billdownload/file')
      return billFile(request, query);
    return error(request, 404, 'NOT_FOUND', `no such endpoint: ${request.method} ${path}`);
  };
};
