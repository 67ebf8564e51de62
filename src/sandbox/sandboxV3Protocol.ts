import { randomBytes, randomUUID } from 'node:crypto';
import { encryptAead } from '../infrastructure/wechat/v3/aeadCipher.js';
import { answerMessage } from '../infrastructure/wechat/v3/authorization.js';
import type { RsaSigner } from '../infrastructure/wechat/v3/rsaSigner.js';
import { chinaTimeToIso } from '../infrastructure/wechat/wechatFieldSchemas.js';
import { chinaTimeOf } from './sandboxLedger.js';
import {
  fromRechargeFunds,
  type SandboxRefund,
  type SandboxRefundStatus,
} from './sandboxRefund.js';

/** A key WeChat signs with, and the serial that names it in Wechatpay-Serial. */
export type WechatpaySigningKey = { serial: string; sign: RsaSigner };

/** v3 names v2's REFUNDCLOSE and CHANGE CLOSED and ABNORMAL (WECHAT-V3.md §2). */
export const v3StatusOf = (status: SandboxRefundStatus): string =>
  status === 'REFUNDCLOSE' ? 'CLOSED' : status === 'CHANGE' ? 'ABNORMAL' : status;

/** The refund object of v3's create and query answers (WECHAT-V3.md §2). */
export const v3RefundObject = (refund: SandboxRefund) => ({
  refund_id: refund.refundId,
  out_refund_no: refund.outRefundNo,
  transaction_id: refund.transactionId,
  out_trade_no: refund.outTradeNo,
  channel: 'ORIGINAL',
  user_received_account: '支付用户零钱',
  ...(refund.successTime !== undefined && { success_time: chinaTimeToIso(refund.successTime) }),
  create_time: chinaTimeToIso(chinaTimeOf(new Date(refund.createdAt))),
  status: v3StatusOf(refund.status),
  funds_account: fromRechargeFunds(refund) ? 'AVAILABLE' : 'UNSETTLED',
  amount: {
    total: refund.totalFee,
    refund: refund.refundFee,
    from: [],
    payer_total: refund.totalFee,
    payer_refund: refund.refundFee,
    settlement_refund: refund.refundFee,
    settlement_total: refund.totalFee,
    discount_refund: 0,
    currency: 'CNY',
  },
  promotion_detail: [],
});

/**
 * The Wechatpay-* headers of an answer or a notification: SHA256withRSA over
 * `TIMESTAMP\nNONCE\nBODY\n` with the key the serial names. `corrupt` flips the signature after
 * signing, for clients' verification tests.
 */
export const wechatpaySignatureHeaders = (
  key: WechatpaySigningKey,
  body: string,
  now: Date,
  corrupt = false,
): Record<string, string> => {
  const timestamp = String(Math.floor(now.getTime() / 1000));
  const nonce = randomBytes(16).toString('hex');
  const signature = key.sign(answerMessage(timestamp, nonce, body).toString('utf8'));
  return {
    'wechatpay-timestamp': timestamp,
    'wechatpay-nonce': nonce,
    'wechatpay-signature': corrupt
      ? `${signature.startsWith('A') ? 'B' : 'A'}${signature.slice(1)}`
      : signature,
    'wechatpay-serial': key.serial,
  };
};

const eventTypes: Partial<Record<SandboxRefundStatus, [string, string]>> = {
  SUCCESS: ['REFUND.SUCCESS', '退款成功'],
  REFUNDCLOSE: ['REFUND.CLOSED', '退款关闭'],
  CHANGE: ['REFUND.ABNORMAL', '退款异常'],
};

type SealingKeys = { apiV3Key: string; key: WechatpaySigningKey; now: Date };

/**
 * A v3 notification envelope (WECHAT-V3.md §6) around any plaintext resource: encrypted with the
 * APIv3 key, the envelope signed. Tests seal resources WeChat would never send with it.
 */
export const sealedV3Notification = (
  resource: string,
  { eventType, summary }: { eventType: string; summary: string },
  { apiV3Key, key, now }: SealingKeys,
): { body: string; headers: Record<string, string> } => {
  const sealed = encryptAead(apiV3Key, resource, 'refund');
  const body = JSON.stringify({
    id: randomUUID(),
    create_time: chinaTimeToIso(chinaTimeOf(now)),
    resource_type: 'encrypt-resource',
    event_type: eventType,
    summary,
    resource: {
      original_type: 'refund',
      algorithm: 'AEAD_AES_256_GCM',
      ciphertext: sealed.ciphertext,
      associated_data: sealed.associatedData,
      nonce: sealed.nonce,
    },
  });
  return {
    body,
    headers: { 'content-type': 'application/json', ...wechatpaySignatureHeaders(key, body, now) },
  };
};

/** The notification WeChat Pay v3 posts about a refund: the refund sealed into the envelope. */
export const v3Notification = (
  refund: SandboxRefund,
  { mchId, ...keys }: SealingKeys & { mchId: string },
): { body: string; headers: Record<string, string> } => {
  const [eventType, summary] = eventTypes[refund.status] ?? ['REFUND.SUCCESS', '退款成功'];
  const resource = JSON.stringify({
    mchid: mchId,
    out_trade_no: refund.outTradeNo,
    transaction_id: refund.transactionId,
    out_refund_no: refund.outRefundNo,
    refund_id: refund.refundId,
    refund_status: v3StatusOf(refund.status),
    ...(refund.successTime !== undefined && { success_time: chinaTimeToIso(refund.successTime) }),
    user_received_account: '支付用户零钱',
    amount: {
      total: refund.totalFee,
      refund: refund.refundFee,
      payer_total: refund.totalFee,
      payer_refund: refund.refundFee,
    },
  });
  return sealedV3Notification(resource, { eventType, summary }, keys);
};
