import type { Logger } from 'pino';
import type { Bill } from '../../application/bills/billRecords.js';
import type {
  GatewayRefundRequest,
  RefundGateway,
  RefundOutcome,
  RefundQueryOutcome,
} from '../../application/ports/refundGateway.js';
import { createHttpsTransport, type HttpsTransport } from './httpsTransport.js';
import type { MerchantCertificate } from './merchantCertificate.js';
import { createRateLimiter, type RateLimiter } from './rateLimiter.js';
import { refundOutcomeOf } from './refundAnswer.js';
import { reportGatewayOutcome } from './reportGatewayOutcome.js';
import { refundQueryOutcomeOf } from './refundQueryAnswer.js';
import { createSignedXmlCall, randomNonce, refundQueryPath } from './signedXmlCall.js';
import { createV2BillDownload } from './bills/v2BillDownload.js';
import type { SignType } from './sign.js';

export type WechatPayClientOptions = {
  /** e.g. https://api.mch.weixin.qq.com, or the sandbox's baseUrl. */
  baseUrl: string;
  appid: string;
  mchId: string;
  /** The API v2 key (32 characters). Never logged. */
  apiKey: string;
  signType: SignType;
  /** Where WeChat posts the refund result (≤256 characters, no query string). */
  notifyUrl: string;
  certificate: MerchantCertificate;
  /** Extra CA certificates (file, or PEM text) to trust besides the system ones. */
  caPath?: string;
  ca?: string;
  /** Per call, connection included; default 10 s. */
  timeoutMs?: number;
  /** Ceiling on calls per second (WeChat allows 150 per merchant); default 100; 0 lifts it. */
  maxRequestsPerSecond?: number;
  logger: Logger;
  /** Test seams: a transport or limiter to use instead of the real ones, a nonce generator. */
  transport?: HttpsTransport;
  limiter?: RateLimiter;
  nonce?: () => string;
};

export type WechatPayClient = RefundGateway & {
  /** The REFUND bill of a China date (BILLS.md §1); throws BillUnavailable when there is none yet. */
  downloadBill(date: string): Promise<Bill>;
  close(): void;
};

/** refund_desc is at most 80 characters (WECHAT.md); the API validates it, this is a guard. */
const refundDesc = (reason: string): string => [...reason].slice(0, 80).join('');

/**
 * The WeChat Pay v2 RefundGateway: secapi/pay/refund over mutual TLS, and pay/refundquery; and
 * pay/downloadbill.
 */
export const createWechatPayClient = (options: WechatPayClientOptions): WechatPayClient => {
  const { appid, mchId, logger } = options;
  if (!options.baseUrl.startsWith('https://')) {
    throw new TypeError('the WeChat Pay base URL must be https (secapi needs mutual TLS)');
  }
  const transport =
    options.transport ??
    createHttpsTransport({
      certificate: options.certificate,
      ...(options.caPath !== undefined && { caPath: options.caPath }),
      ...(options.ca !== undefined && { ca: options.ca }),
      ...(options.timeoutMs !== undefined && { timeoutMs: options.timeoutMs }),
    });
  const signing = {
    baseUrl: options.baseUrl,
    apiKey: options.apiKey,
    signType: options.signType,
    transport,
    limiter:
      options.limiter ?? createRateLimiter({ perSecond: options.maxRequestsPerSecond ?? 100 }),
    nonce: options.nonce ?? randomNonce,
  };
  const call = createSignedXmlCall(signing);

  const refund = async (request: GatewayRefundRequest): Promise<RefundOutcome> => {
    const result = await call('/secapi/pay/refund', {
      appid,
      mch_id: mchId,
      // WeChat uses transaction_id when both are sent (WECHAT.md); out_trade_no is always known.
      ...(request.transactionId !== undefined && { transaction_id: request.transactionId }),
      out_trade_no: request.outTradeNo,
      out_refund_no: request.outRefundNo,
      total_fee: String(request.totalFee),
      refund_fee: String(request.refundFee),
      refund_fee_type: 'CNY',
      ...(request.reason !== undefined && { refund_desc: refundDesc(request.reason) }),
      ...(request.refundAccount !== undefined && { refund_account: request.refundAccount }),
      notify_url: options.notifyUrl,
    });
    const outcome =
      result.kind === 'answer' ? refundOutcomeOf(result.fields, request.outRefundNo) : result;
    reportGatewayOutcome(logger, 'refund', request.outRefundNo, outcome);
    return outcome;
  };

  const queryRefund = async (outRefundNo: string): Promise<RefundQueryOutcome> => {
    // No client certificate is needed here; the shared agent sends it anyway, which WeChat allows.
    const result = await call(refundQueryPath, {
      appid,
      mch_id: mchId,
      out_refund_no: outRefundNo,
    });
    const outcome =
      result.kind === 'answer' ? refundQueryOutcomeOf(result.fields, outRefundNo) : result;
    reportGatewayOutcome(logger, 'refundquery', outRefundNo, outcome);
    return outcome;
  };

  return {
    refund,
    queryRefund,
    downloadBill: createV2BillDownload({ ...signing, appid, mchId }),
    close: () => transport.close(),
  };
};
