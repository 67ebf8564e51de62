import type { SignatureProblem } from './v3/wechatpaySignature.js';

export type RefundNotificationErrorCode =
  | 'NOTIFY_TOO_LARGE'
  | 'NOTIFY_FORBIDDEN_DTD'
  | 'NOTIFY_MALFORMED_XML'
  /** return_code is not SUCCESS: WeChat reports a communication failure, there is no result. */
  | 'NOTIFY_RETURN_FAIL'
  /** appid or mch_id is not ours: another merchant's notification, or a forgery. */
  | 'NOTIFY_MERCHANT_MISMATCH'
  | 'NOTIFY_BAD_BASE64'
  /** req_info does not decrypt with our key: not from WeChat for us (or a wrong API key). */
  | 'NOTIFY_DECRYPT_FAILED'
  /** Fields missing or invalid (outer XML or decrypted req_info). */
  | 'NOTIFY_INVALID_CONTENT'
  /** v3: the body is not JSON. */
  | 'NOTIFY_MALFORMED_JSON'
  /** v3: a notification of another kind than a refund result (a payment's, say). */
  | 'NOTIFY_UNSUPPORTED_EVENT'
  /** v3: no APIv3 key and merchant serial are configured, so nothing can be verified. */
  | 'NOTIFY_V3_NOT_CONFIGURED'
  /** v3: the Wechatpay-* signature headers do not show that WeChat Pay sent it. */
  | `NOTIFY_${SignatureProblem}`;

/** A refund notification that cannot be accepted. Messages never contain the key or req_info. */
export class RefundNotificationError extends Error {
  override readonly name = 'RefundNotificationError';

  constructor(
    readonly code: RefundNotificationErrorCode,
    message: string,
  ) {
    super(message);
  }
}
