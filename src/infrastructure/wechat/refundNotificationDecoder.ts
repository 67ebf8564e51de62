import { z } from 'zod';
import type { RefundNotification } from '../../application/refundNotification.js';
import { decodeStrictBase64, decryptReqInfo } from './reqInfoCipher.js';
import { RefundNotificationError } from './refundNotificationError.js';
import {
  chinaTimeField,
  describeIssues,
  fenField,
  idField,
  outRefundNoField,
  outTradeNoField,
  settlementFenField,
  withoutEmptyFields,
} from './wechatFieldSchemas.js';
import { WechatXmlError, defaultMaxXmlBytes, parseWechatXml, type XmlRoot } from './xmlCodec.js';

export type RefundNotificationDecoderOptions = {
  appid: string;
  mchId: string;
  apiKey: string;
  /** WECHAT_API_KEY_PREVIOUS: tried when apiKey does not decrypt, while the key is rotated. */
  apiKeyPrevious?: string;
  /** Called for each notification only the previous key decrypted (a metric). */
  onPreviousKey?: () => void;
  maxBytes?: number;
};

export type RefundNotificationDecoder = (body: string | Buffer) => RefundNotification;

const outerSchema = z.object({
  return_code: z.literal('SUCCESS'),
  return_msg: z.string().optional(),
  appid: z.string(),
  mch_id: z.string(),
  req_info: z.string(),
});

const innerSchema = z.object({
  transaction_id: idField,
  out_trade_no: outTradeNoField,
  refund_id: idField,
  out_refund_no: outRefundNoField,
  total_fee: fenField,
  settlement_total_fee: settlementFenField.optional(),
  refund_fee: fenField,
  settlement_refund_fee: settlementFenField,
  refund_status: z.enum(['SUCCESS', 'CHANGE', 'REFUNDCLOSE']),
  success_time: chinaTimeField.optional(),
  // WeChat spells it refund_recv_accout; the correct spelling is accepted as a fallback.
  refund_recv_accout: z.string().optional(),
  refund_recv_account: z.string().optional(),
  refund_account: z.string().min(1),
  refund_request_source: z.string().min(1),
});

const parse = (input: string | Buffer, root: XmlRoot, maxBytes: number): Record<string, string> => {
  try {
    return parseWechatXml(input, { root, maxBytes });
  } catch (error) {
    if (!(error instanceof WechatXmlError)) throw error;
    switch (error.code) {
      case 'XML_TOO_LARGE':
        throw new RefundNotificationError('NOTIFY_TOO_LARGE', error.message);
      case 'XML_FORBIDDEN_DTD':
        throw new RefundNotificationError('NOTIFY_FORBIDDEN_DTD', error.message);
      case 'XML_MALFORMED':
        // Inside req_info, XML that does not parse after a successful unpadding is a wrong key
        // whose padding happened to look valid, not a malformed notification.
        throw root === 'xml'
          ? new RefundNotificationError('NOTIFY_MALFORMED_XML', error.message)
          : new RefundNotificationError('NOTIFY_DECRYPT_FAILED', 'req_info did not decrypt to XML');
      case 'XML_UNSUPPORTED':
        // Well-formed XML, so inside req_info the key was right: the content is what is wrong.
        throw new RefundNotificationError('NOTIFY_MALFORMED_XML', error.message);
    }
  }
};

/**
 * Turns the body WeChat posts to notify_url into a validated RefundNotification, or throws a
 * RefundNotificationError. The notification carries no sign: it is authentic when req_info
 * decrypts with our API key and appid/mch_id are ours (WECHAT.md).
 */
export const createRefundNotificationDecoder = ({
  appid,
  mchId,
  apiKey,
  apiKeyPrevious,
  onPreviousKey = () => undefined,
  maxBytes = defaultMaxXmlBytes,
}: RefundNotificationDecoderOptions): RefundNotificationDecoder => {
  const keys = apiKeyPrevious === undefined ? [apiKey] : [apiKey, apiKeyPrevious];

  /**
   * req_info's fields, decrypted with the first key that yields XML. The current key first; the
   * previous one while WeChat still encrypts with it (the merchant platform's key changed before
   * ours, or notifications sent before the change are delivered again).
   */
  const decrypt = (ciphertext: Buffer): Record<string, string> => {
    for (const [index, key] of keys.entries()) {
      const plaintext = decryptReqInfo(ciphertext, key);
      if (plaintext === undefined) continue;
      let fields: Record<string, string>;
      try {
        fields = parse(plaintext, 'root', maxBytes);
      } catch (error) {
        const wrongKey =
          error instanceof RefundNotificationError && error.code === 'NOTIFY_DECRYPT_FAILED';
        if (wrongKey) continue;
        throw error;
      }
      if (index > 0) onPreviousKey();
      return fields;
    }
    throw new RefundNotificationError(
      'NOTIFY_DECRYPT_FAILED',
      `req_info does not decrypt with the merchant API key${keys.length > 1 ? ' or the previous one' : ''}`,
    );
  };

  return (body) => {
    const outerFields = parse(body, 'xml', maxBytes);
    // Checked before the other fields: a FAIL notification carries no req_info to complain about.
    if (outerFields.return_code !== undefined && outerFields.return_code !== 'SUCCESS') {
      throw new RefundNotificationError('NOTIFY_RETURN_FAIL', 'return_code is not SUCCESS');
    }
    const outer = outerSchema.safeParse(outerFields);
    if (!outer.success) {
      throw new RefundNotificationError('NOTIFY_INVALID_CONTENT', describeIssues(outer.error));
    }
    if (outer.data.appid !== appid || outer.data.mch_id !== mchId) {
      throw new RefundNotificationError(
        'NOTIFY_MERCHANT_MISMATCH',
        'appid or mch_id is not this merchant',
      );
    }
    const ciphertext = decodeStrictBase64(outer.data.req_info);
    if (ciphertext === undefined) {
      throw new RefundNotificationError('NOTIFY_BAD_BASE64', 'req_info is not valid base64');
    }
    const inner = innerSchema.safeParse(withoutEmptyFields(decrypt(ciphertext)));
    if (!inner.success) {
      throw new RefundNotificationError('NOTIFY_INVALID_CONTENT', describeIssues(inner.error));
    }
    const info = inner.data;
    const refundRecvAccount = info.refund_recv_accout ?? info.refund_recv_account;
    if (refundRecvAccount === undefined) {
      throw new RefundNotificationError('NOTIFY_INVALID_CONTENT', 'refund_recv_accout: required');
    }
    return {
      transactionId: info.transaction_id,
      outTradeNo: info.out_trade_no,
      refundId: info.refund_id,
      outRefundNo: info.out_refund_no,
      totalFee: info.total_fee,
      ...(info.settlement_total_fee !== undefined && {
        settlementTotalFee: info.settlement_total_fee,
      }),
      refundFee: info.refund_fee,
      settlementRefundFee: info.settlement_refund_fee,
      refundStatus: info.refund_status,
      ...(info.success_time !== undefined && { successTime: info.success_time }),
      refundRecvAccount,
      refundAccount: info.refund_account,
      refundRequestSource: info.refund_request_source,
    };
  };
};
