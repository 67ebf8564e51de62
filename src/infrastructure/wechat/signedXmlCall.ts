import { randomBytes } from 'node:crypto';
import type { GatewayProblem } from '../../application/ports/refundGateway.js';
import { classifyReturnFail } from './errCodeClassification.js';
import type { HttpsTransport, TransportResult } from './httpsTransport.js';
import type { RateLimiter } from './rateLimiter.js';
import { hasValidSign, withSign, type SignType } from './sign.js';
import { WechatXmlError, buildWechatXml, parseWechatXml } from './xmlCodec.js';

/** A signed, verified answer (return_code SUCCESS): result_code and the rest still to be read. */
export type CallResult = { kind: 'answer'; fields: Record<string, string> } | GatewayProblem;

export type SignedXmlCall = (
  path: string,
  fields: Readonly<Record<string, string>>,
) => Promise<CallResult>;

export type SignedXmlCallOptions = {
  baseUrl: string;
  apiKey: string;
  signType: SignType;
  transport: HttpsTransport;
  limiter: RateLimiter;
  nonce?: () => string;
};

export const refundQueryPath = '/pay/refundquery';

/** nonce_str: at most 32 characters (WECHAT.md); 128 random bits as hex. */
export const randomNonce = (): string => randomBytes(16).toString('hex');

// Errors that mean the peer's certificate (or ours) is not accepted: retrying will not help,
// an operator must fix a CA path, a certificate or a base URL.
const tlsConfigurationError =
  /^(CERT_|UNABLE_TO_|SELF_SIGNED|DEPTH_ZERO|ERR_TLS_CERT|ERR_SSL_TLSV1_ALERT|ERR_SSL_SSLV3_ALERT)/;

/** A call that got no HTTP answer: retryable, unless TLS says a certificate is not accepted. */
export const transportProblem = (result: TransportResult & { kind: 'failure' }): GatewayProblem =>
  tlsConfigurationError.test(result.code)
    ? { kind: 'misconfigured', code: 'TLS_ERROR', message: `${result.code}: ${result.message}` }
    : { kind: 'retryable', code: result.code, message: result.message };

/**
 * One WeChat v2 call: adds nonce_str and sign_type, signs, posts the XML, and accepts only an
 * answer whose sign verifies with the same sign_type (WECHAT.md "Signature" 4). An answer that
 * does not verify is never an answer: it is retryable, like a network error.
 */
export const createSignedXmlCall = ({
  baseUrl,
  apiKey,
  signType,
  transport,
  limiter,
  nonce = randomNonce,
}: SignedXmlCallOptions): SignedXmlCall => {
  const base = baseUrl.replace(/\/+$/, '');
  return async (path, fields) => {
    const request = withSign(
      { ...fields, nonce_str: nonce(), sign_type: signType },
      apiKey,
      signType,
    );
    // refundquery only takes the rate refunds leave (the reconciler must not slow a backlog).
    await limiter.acquire(path === refundQueryPath ? 'query' : 'send');
    const result = await transport.post(`${base}${path}`, buildWechatXml(request), 'text/xml');
    if (result.kind === 'failure') return transportProblem(result);
    if (result.status >= 500) {
      return { kind: 'retryable', code: `HTTP_${result.status}`, message: 'WeChat answered 5xx' };
    }
    if (result.status < 200 || result.status >= 300) {
      // 4xx from WeChat's front: usually a wrong base URL or path, which no retry fixes.
      return {
        kind: 'misconfigured',
        code: `HTTP_${result.status}`,
        message: `HTTP ${result.status}`,
      };
    }
    let answer: Record<string, string>;
    try {
      answer = parseWechatXml(result.body);
    } catch (error) {
      if (!(error instanceof WechatXmlError)) throw error;
      return {
        kind: 'retryable',
        code: 'UNPARSABLE_RESPONSE',
        message: `the answer is not WeChat XML: ${error.message}`,
      };
    }
    if (answer.return_code !== 'SUCCESS') {
      // return_code FAIL is unsigned and about communication only (WECHAT.md).
      const message = answer.return_msg ?? 'return_code is not SUCCESS';
      return { kind: classifyReturnFail(message), code: 'RETURN_FAIL', message };
    }
    if (!hasValidSign(answer, apiKey, signType)) {
      return { kind: 'retryable', code: 'BAD_SIGN', message: 'the answer sign does not verify' };
    }
    return { kind: 'answer', fields: answer };
  };
};
