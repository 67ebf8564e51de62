import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { RefundNotificationError } from '../../../../src/infrastructure/wechat/refundNotificationError.js';
import { createRsaSigner } from '../../../../src/infrastructure/wechat/v3/rsaSigner.js';
import { createV3RefundNotificationDecoder } from '../../../../src/infrastructure/wechat/v3/v3RefundNotificationDecoder.js';
import { sealedV3Notification } from '../../../../src/sandbox/sandboxV3Protocol.js';

const mchId = '1900000109';
const apiV3Key = '0123456789abcdef0123456789abcdef';
const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const key = {
  serial: 'PUB_KEY_ID_0119000001092026112800000000000001',
  sign: createRsaSigner(privateKey),
};
const now = new Date('2026-11-28T08:00:00.000Z');

const decode = createV3RefundNotificationDecoder({
  mchId,
  apiV3Keys: [apiV3Key],
  platformKeys: { keyFor: async (serial) => (serial === key.serial ? publicKey : undefined) },
  clock: { now: () => now },
});

const resource = {
  mchid: mchId,
  out_trade_no: 'T1',
  transaction_id: '4200000000202611280000000001',
  out_refund_no: 'R1',
  refund_id: '50000000002026112800000000001',
  refund_status: 'SUCCESS',
  success_time: '2026-11-28T16:00:00+08:00',
  user_received_account: '支付用户零钱',
  amount: { total: 500, refund: 500, payer_total: 500, payer_refund: 500 },
};

const notified = (changes: Record<string, unknown>, amount: Record<string, unknown> = {}) => {
  const { body, headers } = sealedV3Notification(
    JSON.stringify({ ...resource, ...changes, amount: { ...resource.amount, ...amount } }),
    { eventType: 'REFUND.SUCCESS', summary: '退款成功' },
    { apiV3Key, key, now },
  );
  return decode(headers, Buffer.from(body));
};

describe('the v3 refund notification decoder', () => {
  it('given a notification of a coupon-paid refund at the 32-bit limit, then its report', async () => {
    await expect(
      notified({}, { total: 2_147_483_647, refund: 2_147_483_647, payer_refund: 0 }),
    ).resolves.toMatchObject({
      outRefundNo: 'R1',
      refundFee: 2_147_483_647,
      order: { outTradeNo: 'T1', totalFee: 2_147_483_647 },
      outcome: { status: 'succeeded', settlementRefundFee: 0 },
    });
  });

  // Found by the fuzz suite: validly signed, such a notification was stored, and the refund could
  // not be fetched through the API (v2 refused it already).
  it.each([
    ['out_refund_no', ' '],
    ['out_refund_no', '../../x'],
    ['out_refund_no', '=HYPERLINK("http://x")'],
    ['out_trade_no', 'T 1'],
    ['out_trade_no', 'T'.repeat(33)],
  ])('given %s %j, outside DESIGN §3, then NOTIFY_INVALID_CONTENT', async (field, value) => {
    await expect(notified({ [field]: value })).rejects.toMatchObject({
      constructor: RefundNotificationError,
      code: 'NOTIFY_INVALID_CONTENT',
    });
  });

  // Found by the fuzz suite: a settlement amount beyond 32 bits was decoded, the event could not
  // hold it, and the route answered 503, so WeChat would have delivered it again for a day.
  it.each([
    ['payer_refund', 2_147_483_648],
    ['refund', 2 ** 40],
    ['total', Number.MAX_SAFE_INTEGER],
  ])('given amount.%s %d, beyond 32 bits, then NOTIFY_INVALID_CONTENT', async (field, value) => {
    await expect(notified({}, { [field]: value })).rejects.toMatchObject({
      code: 'NOTIFY_INVALID_CONTENT',
    });
  });
});
