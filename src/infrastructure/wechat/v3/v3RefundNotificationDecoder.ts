import { z } from 'zod';
import type { Clock } from '../../../application/ports/clock.js';
import type { RefundReport } from '../../../application/refundReport.js';
import { RefundNotificationError } from '../refundNotificationError.js';
import { describeIssues, outRefundNoField, outTradeNoField } from '../wechatFieldSchemas.js';
import { decryptAeadWithAny } from './aeadCipher.js';
import type { PlatformKeys } from './platformKeys.js';
import { fen, id, settlementFen } from './v3RefundAnswer.js';
import { v3SettlementFailure } from './v3RefundReport.js';
import { checkWechatpaySignature, wechatpayHeadersOf } from './wechatpaySignature.js';

export type V3RefundNotificationDecoderOptions = {
  mchId: string;
  /** The APIv3 key, then a former one still accepted while the key is rotated. */
  apiV3Keys: readonly string[];
  platformKeys: PlatformKeys;
  clock: Clock;
  maxBytes?: number;
};

export type V3RefundNotificationDecoder = (
  headers: Readonly<Record<string, string | string[] | undefined>>,
  body: Buffer,
) => Promise<RefundReport>;

const envelopeSchema = z.object({
  id: z.string().min(1),
  event_type: z.string(),
  resource: z.object({
    algorithm: z.literal('AEAD_AES_256_GCM'),
    ciphertext: z.string().min(1),
    nonce: z.string().min(1),
    associated_data: z.string().default(''),
  }),
});

/** event_type → the refund_status its resource must carry. */
const refundEvents = new Map([
  ['REFUND.SUCCESS', 'SUCCESS'],
  ['REFUND.CLOSED', 'CLOSED'],
  ['REFUND.ABNORMAL', 'ABNORMAL'],
]);

// The decrypted resource (WECHAT-V3.md §6).
const refundSchema = z.object({
  mchid: z.string(),
  // DESIGN §3, as for v2: a number outside it could never be fetched through the API.
  out_trade_no: outTradeNoField,
  transaction_id: id,
  out_refund_no: outRefundNoField,
  refund_id: id,
  refund_status: z.enum(['SUCCESS', 'CLOSED', 'ABNORMAL']),
  success_time: z.iso.datetime({ offset: true }).optional(),
  user_received_account: z.string().optional(),
  amount: z.object({
    total: fen,
    refund: fen,
    payer_total: settlementFen.optional(),
    payer_refund: settlementFen.optional(),
  }),
});

const json = (text: string): { ok: true; value: unknown } | { ok: false } => {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
};

/**
 * Turns what WeChat Pay v3 posts to notify_url into the RefundReport it makes, or throws a
 * RefundNotificationError: the signature headers must verify over the raw body with the key the
 * serial names, within 5 minutes (WECHATPAY/SIGNTEST/ probes refused); the resource must decrypt
 * with the APIv3 key (or the former one) and be a refund of our mchid.
 */
export const createV3RefundNotificationDecoder = ({
  mchId,
  apiV3Keys,
  platformKeys,
  clock,
  maxBytes = 64 * 1024,
}: V3RefundNotificationDecoderOptions): V3RefundNotificationDecoder => {
  return async (headers, body) => {
    if (body.length > maxBytes) {
      throw new RefundNotificationError('NOTIFY_TOO_LARGE', `more than ${maxBytes} bytes`);
    }
    const signature = await checkWechatpaySignature({
      headers: wechatpayHeadersOf(headers),
      body,
      keys: platformKeys,
      now: clock.now(),
    });
    if (!signature.ok) {
      throw new RefundNotificationError(`NOTIFY_${signature.problem}`, signature.message);
    }
    const outer = json(body.toString('utf8'));
    if (!outer.ok)
      throw new RefundNotificationError('NOTIFY_MALFORMED_JSON', 'the body is not JSON');
    const envelope = envelopeSchema.safeParse(outer.value);
    if (!envelope.success) {
      throw new RefundNotificationError('NOTIFY_INVALID_CONTENT', describeIssues(envelope.error));
    }
    const eventType = envelope.data.event_type;
    const expectedStatus = refundEvents.get(eventType);
    if (expectedStatus === undefined) {
      throw new RefundNotificationError(
        'NOTIFY_UNSUPPORTED_EVENT',
        `${eventType.slice(0, 64)} is not a refund result`,
      );
    }
    const { ciphertext, nonce, associated_data } = envelope.data.resource;
    const plaintext = decryptAeadWithAny(apiV3Keys, {
      ciphertext,
      nonce,
      associatedData: associated_data,
    });
    if (plaintext === undefined) {
      throw new RefundNotificationError(
        'NOTIFY_DECRYPT_FAILED',
        'the resource does not decrypt with the APIv3 key',
      );
    }
    const inner = json(plaintext.toString('utf8'));
    const refund = inner.ok ? refundSchema.safeParse(inner.value) : undefined;
    if (!refund?.success) {
      throw new RefundNotificationError(
        'NOTIFY_INVALID_CONTENT',
        refund ? describeIssues(refund.error) : 'the resource is not JSON',
      );
    }
    const r = refund.data;
    if (r.mchid !== mchId) {
      throw new RefundNotificationError('NOTIFY_MERCHANT_MISMATCH', 'mchid is not this merchant');
    }
    if (expectedStatus !== r.refund_status) {
      throw new RefundNotificationError(
        'NOTIFY_INVALID_CONTENT',
        'event_type and refund_status disagree',
      );
    }
    return {
      outRefundNo: r.out_refund_no,
      refundId: r.refund_id,
      refundFee: r.amount.refund,
      order: {
        outTradeNo: r.out_trade_no,
        transactionId: r.transaction_id,
        totalFee: r.amount.total,
      },
      outcome:
        r.refund_status === 'SUCCESS'
          ? {
              status: 'succeeded',
              // The v3 notification carries no settlement amount; what reached the payer is the closest.
              settlementRefundFee: r.amount.payer_refund ?? r.amount.refund,
              refundRecvAccount: r.user_received_account ?? '',
              // Neither is in a v3 notification (WECHAT-V3.md §6).
              refundAccount: '',
              refundRequestSource: '',
              ...(r.success_time !== undefined && { successTime: r.success_time }),
            }
          : v3SettlementFailure(r.refund_status),
    };
  };
};
