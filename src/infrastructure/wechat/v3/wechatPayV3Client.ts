import type { Logger } from 'pino';
import type {
  GatewayProblem,
  GatewayRefundRequest,
  RefundOutcome,
  RefundQueryOutcome,
} from '../../../application/ports/refundGateway.js';
import { reportGatewayOutcome } from '../reportGatewayOutcome.js';
import type { WechatPayClient } from '../wechatPayClient.js';
import type { V3Call, V3CallResult } from './signedJsonCall.js';
import { classifyV3Error } from './v3ErrorClassification.js';
import { acceptedOf, foundOf, v3RefundOf } from './v3RefundAnswer.js';

export type WechatPayV3ClientOptions = {
  call: V3Call;
  /** PUBLIC_BASE_URL + /wechat/v3/refund-notify (≤256 characters, no query string). */
  notifyUrl: string;
  logger: Logger;
  /** The REFUND bill of a date (v3BillDownload.ts). */
  downloadBill: WechatPayClient['downloadBill'];
  /** Releases what the call uses (its connections). */
  close?: () => void;
};

/** reason is at most 80 characters (WECHAT-V3.md §1); the API validates it, this is a guard. */
const reasonOf = (reason: string): string => [...reason].slice(0, 80).join('');

type Traced<T> = { outcome: T; requestId: string | undefined };

/** An answer that is not a 200: WeChat's error code classified, or the call's own problem. */
const notAnAnswer = (
  result: Exclude<V3CallResult, { kind: 'answer' }>,
): Traced<GatewayProblem | { kind: 'rejected'; code: string; message: string }> => ({
  outcome: {
    kind: result.kind === 'refusal' ? classifyV3Error(result.status, result.code) : result.kind,
    code: result.code,
    message: result.message,
  },
  requestId: result.requestId,
});

/**
 * The WeChat Pay v3 RefundGateway (WECHAT-V3.md §1–3): POST /v3/refund/domestic/refunds and GET
 * /v3/refund/domestic/refunds/{out_refund_no}, with the same typed outcomes as the v2 client; and
 * the bill download (§7).
 */
export const createWechatPayV3Client = ({
  call,
  notifyUrl,
  logger,
  downloadBill,
  close = () => undefined,
}: WechatPayV3ClientOptions): WechatPayClient => {
  /**
   * Refunds last answered FREQUENCY_LIMITED: whether WeChat took them is unknown (WECHAT-V3.md
   * §3), so they are queried before being sent again.
   */
  const limited = new Set<string>();

  const query = async (outRefundNo: string): Promise<Traced<RefundQueryOutcome>> => {
    const result = await call({
      method: 'GET',
      path: `/v3/refund/domestic/refunds/${encodeURIComponent(outRefundNo)}`,
    });
    if (result.kind === 'answer') {
      const refund = v3RefundOf(result.body, outRefundNo);
      return { outcome: 'kind' in refund ? refund : foundOf(refund), requestId: result.requestId };
    }
    if (result.kind === 'refusal' && result.code === 'RESOURCE_NOT_EXISTS') {
      return { outcome: { kind: 'not_found' }, requestId: result.requestId };
    }
    return notAnAnswer(result);
  };

  const send = async (request: GatewayRefundRequest): Promise<Traced<RefundOutcome>> => {
    const result = await call({
      method: 'POST',
      path: '/v3/refund/domestic/refunds',
      body: {
        // out_trade_no is always known; WeChat takes transaction_id first when both are sent.
        ...(request.transactionId !== undefined && { transaction_id: request.transactionId }),
        out_trade_no: request.outTradeNo,
        out_refund_no: request.outRefundNo,
        ...(request.reason !== undefined && { reason: reasonOf(request.reason) }),
        notify_url: notifyUrl,
        // v2's REFUND_SOURCE_RECHARGE_FUNDS is v3's AVAILABLE (WECHAT-V3.md §1).
        ...(request.refundAccount === 'REFUND_SOURCE_RECHARGE_FUNDS' && {
          funds_account: 'AVAILABLE',
        }),
        amount: { refund: request.refundFee, total: request.totalFee, currency: 'CNY' },
      },
    });
    if (result.kind === 'answer') {
      const refund = v3RefundOf(result.body, request.outRefundNo);
      return {
        outcome: 'kind' in refund ? refund : acceptedOf(refund),
        requestId: result.requestId,
      };
    }
    if (result.kind === 'refusal' && result.code === 'FREQUENCY_LIMITED') {
      limited.add(request.outRefundNo);
    }
    return notAnAnswer(result);
  };

  const refund = async (request: GatewayRefundRequest): Promise<RefundOutcome> => {
    if (limited.has(request.outRefundNo)) {
      const { outcome: known } = await query(request.outRefundNo);
      if (known.kind === 'found') {
        limited.delete(request.outRefundNo);
        const { refundId, refundFee, order } = known.report;
        const outcome: RefundOutcome = {
          kind: 'accepted',
          refundId,
          ...(order !== undefined && { transactionId: order.transactionId }),
          refundFee,
        };
        reportGatewayOutcome(logger, 'refund', request.outRefundNo, outcome);
        return outcome;
      }
      if (known.kind !== 'not_found') {
        reportGatewayOutcome(logger, 'refundquery', request.outRefundNo, known);
        return known.kind === 'rejected' ? { ...known, kind: 'retryable' } : known;
      }
      limited.delete(request.outRefundNo);
    }
    const { outcome, requestId } = await send(request);
    reportGatewayOutcome(logger, 'refund', request.outRefundNo, outcome, requestId);
    return outcome;
  };

  const queryRefund = async (outRefundNo: string): Promise<RefundQueryOutcome> => {
    const { outcome, requestId } = await query(outRefundNo);
    reportGatewayOutcome(logger, 'refundquery', outRefundNo, outcome, requestId);
    return outcome;
  };

  return { refund, queryRefund, downloadBill, close };
};
