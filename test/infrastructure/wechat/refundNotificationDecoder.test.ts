import { describe, expect, it } from 'vitest';
import {
  notificationFailReply,
  notificationSuccessReply,
} from '../../../src/infrastructure/wechat/notificationReply.js';
import {
  decodeStrictBase64,
  decryptReqInfo,
  encryptReqInfo,
} from '../../../src/infrastructure/wechat/reqInfoCipher.js';
import { createRefundNotificationDecoder } from '../../../src/infrastructure/wechat/refundNotificationDecoder.js';
import { RefundNotificationError } from '../../../src/infrastructure/wechat/refundNotificationError.js';
import { buildWechatXml, parseWechatXml } from '../../../src/infrastructure/wechat/xmlCodec.js';

// IJPay's public vector (WECHAT.md): this key decrypts K8fdh/6THGfTKio8pxXS6Q== to "IJPay".
const apiKey = '42cc1d91bab89b65ff55b19e28fff4f0';
const merchant = { appid: 'wx2421b1c4370ec43b', mchId: '10000100', apiKey };
const decode = createRefundNotificationDecoder(merchant);

const reqInfo = {
  transaction_id: '4200000215201811190261405420',
  out_trade_no: 'T1',
  refund_id: '50000408942018111907145868882',
  out_refund_no: 'R1',
  total_fee: '3960',
  settlement_total_fee: '3960',
  refund_fee: '3960',
  settlement_refund_fee: '3960',
  refund_status: 'SUCCESS',
  success_time: '2018-11-19 16:24:13',
  refund_recv_accout: '支付用户零钱',
  refund_account: 'REFUND_SOURCE_RECHARGE_FUNDS',
  refund_request_source: 'API',
};

const notification = (
  overrides: Record<string, string> = {},
  inner: Record<string, string> = reqInfo,
  key = apiKey,
): string =>
  buildWechatXml({
    return_code: 'SUCCESS',
    appid: merchant.appid,
    mch_id: merchant.mchId,
    nonce_str: 'TeqClE3i0mvn3DrK',
    req_info: encryptReqInfo(buildWechatXml(inner, 'root'), key),
    ...overrides,
  });

const codeOf = (body: string | Buffer): string | undefined => {
  try {
    decode(body);
    return undefined;
  } catch (error) {
    return error instanceof RefundNotificationError ? error.code : `unexpected ${String(error)}`;
  }
};

describe('req_info cipher', () => {
  it('given the public IJPay vector, when decrypted, then it reads IJPay', () => {
    const plaintext = decryptReqInfo(decodeStrictBase64('K8fdh/6THGfTKio8pxXS6Q==')!, apiKey);
    expect(plaintext?.toString('utf8')).toBe('IJPay');
    expect(encryptReqInfo('IJPay', apiKey)).toBe('K8fdh/6THGfTKio8pxXS6Q==');
  });

  it.each([
    '',
    'K8fdh/6THGfTKio8pxXS6Q=',
    'K8fdh/6THGfTKio8pxXS6Q',
    'K8fdh 6THGfTKio8pxXS6Q==',
    'K8f!',
  ])('given the invalid base64 %j, when decoded strictly, then it is refused', (text) => {
    expect(decodeStrictBase64(text)).toBeUndefined();
  });
});

describe('refund notification decoder', () => {
  it('given a SUCCESS notification, when decoded, then amounts are integers, ids strings and the time ISO', () => {
    expect(decode(notification())).toEqual({
      transactionId: '4200000215201811190261405420',
      outTradeNo: 'T1',
      refundId: '50000408942018111907145868882',
      outRefundNo: 'R1',
      totalFee: 3960,
      settlementTotalFee: 3960,
      refundFee: 3960,
      settlementRefundFee: 3960,
      refundStatus: 'SUCCESS',
      successTime: '2018-11-19T16:24:13+08:00',
      refundRecvAccount: '支付用户零钱',
      refundAccount: 'REFUND_SOURCE_RECHARGE_FUNDS',
      refundRequestSource: 'API',
    });
  });

  it('given a REFUNDCLOSE notification without success_time, when decoded, then it has no successTime', () => {
    const { success_time: _, ...closed } = { ...reqInfo, refund_status: 'REFUNDCLOSE' };
    const decoded = decode(notification({}, closed));
    expect(decoded.refundStatus).toBe('REFUNDCLOSE');
    expect(decoded).not.toHaveProperty('successTime');
  });

  it('given the field spelt correctly (refund_recv_account), when decoded, then it is accepted too', () => {
    const { refund_recv_accout: account, ...rest } = reqInfo;
    expect(
      decode(notification({}, { ...rest, refund_recv_account: account })).refundRecvAccount,
    ).toBe(account);
  });

  it('given a Buffer body, when decoded, then it works as a string does', () => {
    expect(decode(Buffer.from(notification())).outRefundNo).toBe('R1');
  });

  it.each([
    ['non-XML', 'not xml at all', 'NOTIFY_MALFORMED_XML'],
    ['a DOCTYPE', '<!DOCTYPE x><xml></xml>', 'NOTIFY_FORBIDDEN_DTD'],
    ['a body above 64 KiB', `<xml><a>${'x'.repeat(65 * 1024)}</a></xml>`, 'NOTIFY_TOO_LARGE'],
    [
      'return_code FAIL',
      buildWechatXml({ return_code: 'FAIL', return_msg: 'x' }),
      'NOTIFY_RETURN_FAIL',
    ],
    ['a foreign mch_id', notification({ mch_id: '1900000109' }), 'NOTIFY_MERCHANT_MISMATCH'],
    ['a foreign appid', notification({ appid: 'wx0000000000000000' }), 'NOTIFY_MERCHANT_MISMATCH'],
    ['truncated base64', notification({ req_info: 'K8fdh/6THGfTKio8pxXS6Q' }), 'NOTIFY_BAD_BASE64'],
    [
      'req_info cut at a block',
      notification({ req_info: 'K8fdh/6THGfT' }),
      'NOTIFY_DECRYPT_FAILED',
    ],
    [
      'another key',
      notification({}, reqInfo, 'ffffffffffffffffffffffffffffffff'),
      'NOTIFY_DECRYPT_FAILED',
    ],
    [
      'no req_info',
      buildWechatXml({ return_code: 'SUCCESS', appid: 'a', mch_id: 'b' }),
      'NOTIFY_INVALID_CONTENT',
    ],
    [
      'a fractional amount',
      notification({}, { ...reqInfo, refund_fee: '39.60' }),
      'NOTIFY_INVALID_CONTENT',
    ],
    [
      'an unknown status',
      notification({}, { ...reqInfo, refund_status: 'PROCESSING' }),
      'NOTIFY_INVALID_CONTENT',
    ],
    [
      'an out_refund_no outside the characters of DESIGN §3',
      notification({}, { ...reqInfo, out_refund_no: '../../x' }),
      'NOTIFY_INVALID_CONTENT',
    ],
    [
      'an out_trade_no outside the characters of DESIGN §3',
      notification({}, { ...reqInfo, out_trade_no: '=HYPERLINK("http://x.example","y")' }),
      'NOTIFY_INVALID_CONTENT',
    ],
    [
      'an out_trade_no longer than 32 characters',
      notification({}, { ...reqInfo, out_trade_no: 'T'.repeat(33) }),
      'NOTIFY_INVALID_CONTENT',
    ],
    [
      'a bad success_time',
      notification({}, { ...reqInfo, success_time: 'yesterday' }),
      'NOTIFY_INVALID_CONTENT',
    ],
  ])('given %s, when decoded, then it fails with %s', (_, body, code) => {
    expect(codeOf(body)).toBe(code);
  });

  it('given a req_info encrypted with our key whose XML the parser refuses, when decoded, then malformed XML', () => {
    const body = notification({
      req_info: encryptReqInfo('<root><constructor>x</constructor></root>', apiKey),
    });
    expect(codeOf(body)).toBe('NOTIFY_MALFORMED_XML');
  });

  it('given a decryptable req_info that is not XML, when decoded, then decryption is said to fail', () => {
    const body = notification({ req_info: encryptReqInfo('IJPay', apiKey) });
    expect(codeOf(body)).toBe('NOTIFY_DECRYPT_FAILED');
  });

  it('given any failure, when reported, then the message contains neither the key nor req_info', () => {
    const body = notification({}, reqInfo, 'ffffffffffffffffffffffffffffffff');
    const req = parseWechatXml(body).req_info!;
    try {
      decode(body);
      expect.unreachable();
    } catch (error) {
      const text = `${String(error)} ${JSON.stringify(error)}`;
      expect(text).not.toContain(apiKey);
      expect(text).not.toContain(req);
    }
  });
});

describe('refund notification decoder while the API key is rotated (WECHAT_API_KEY_PREVIOUS)', () => {
  const previous = 'ffffffffffffffffffffffffffffffff';
  const rotating = () => {
    const counted: string[] = [];
    const decodeRotating = createRefundNotificationDecoder({
      ...merchant,
      apiKeyPrevious: previous,
      onPreviousKey: () => counted.push('previous'),
    });
    return { decodeRotating, counted };
  };

  it('given a notification encrypted with the previous key, then it decodes, and it is counted', () => {
    const { decodeRotating, counted } = rotating();
    expect(decodeRotating(notification({}, reqInfo, previous))).toEqual(decode(notification()));
    expect(counted).toEqual(['previous']);
  });

  it('given one encrypted with the current key, then it decodes and is not counted', () => {
    const { decodeRotating, counted } = rotating();
    expect(decodeRotating(notification()).outRefundNo).toBe('R1');
    expect(counted).toEqual([]);
  });

  it('given one encrypted with neither key, then NOTIFY_DECRYPT_FAILED, naming neither key', () => {
    const { decodeRotating } = rotating();
    let thrown: unknown;
    try {
      decodeRotating(notification({}, reqInfo, 'A'.repeat(32)));
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toMatchObject({ code: 'NOTIFY_DECRYPT_FAILED' });
    expect(String(thrown)).not.toContain(previous);
    expect(String(thrown)).not.toContain(apiKey);
  });
});

describe('notification replies', () => {
  it('given success, when replying, then the body is exactly the one WeChat expects', () => {
    expect(notificationSuccessReply).toBe(
      '<xml><return_code><![CDATA[SUCCESS]]></return_code><return_msg><![CDATA[OK]]></return_msg></xml>',
    );
  });

  it('given a failure, when replying, then it is FAIL with the reason', () => {
    expect(parseWechatXml(notificationFailReply('storage unavailable'))).toEqual({
      return_code: 'FAIL',
      return_msg: 'storage unavailable',
    });
  });
});
