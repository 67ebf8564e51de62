import { z } from 'zod';
import type { GatewayProblem } from '../../../application/ports/refundGateway.js';
import type { Clock } from '../../../application/ports/clock.js';
import type { HttpsTransport } from '../httpsTransport.js';
import type { RateLimiter } from '../rateLimiter.js';
import { transportProblem } from '../signedXmlCall.js';
import { authorizationHeader, randomNonceString } from './authorization.js';
import type { PlatformKeys } from './platformKeys.js';
import type { RsaSigner } from './rsaSigner.js';
import {
  checkWechatpaySignature,
  wechatpayHeadersOf,
  type WechatpayHeaders,
} from './wechatpaySignature.js';

/** WeChat's Request-ID of the call, when it answered: support asks for it (WECHAT-V3.md §3). */
type Traced = { requestId?: string };

export type V3CallResult =
  /** A 2xx answer whose signature verified; body is its JSON (undefined when empty). */
  | (Traced & {
      kind: 'answer';
      status: number;
      body: unknown;
      /** What the signature covers, for a caller that verifies itself ({ verify: false }). */
      raw: Buffer;
      headers: WechatpayHeaders;
    })
  /** A 4xx/5xx with WeChat's error body `{ code, message }`: the caller decides what it means. */
  | (Traced & { kind: 'refusal'; status: number; code: string; message: string })
  | (Traced & GatewayProblem);

export type V3Request = { method: 'GET' | 'POST'; path: string; body?: object };

export type V3Call = (request: V3Request, options?: { verify?: boolean }) => Promise<V3CallResult>;

export type SignedJsonCallOptions = {
  baseUrl: string;
  mchId: string;
  merchantSerialNo: string;
  sign: RsaSigner;
  /** Verifies 2xx answers. */
  platformKeys: PlatformKeys;
  /**
   * Sent as the request's Wechatpay-Serial when set: WeChat then signs its answer with its public
   * key rather than a platform certificate, as the SDKs configured with a public key ask.
   */
  publicKeyId?: string;
  transport: HttpsTransport;
  limiter: RateLimiter;
  clock: Clock;
  nonce?: () => string;
};

const errorBodySchema = z.object({ code: z.string().min(1), message: z.string().default('') });

const parseJson = (raw: Buffer): { ok: true; value: unknown } | { ok: false } => {
  if (raw.length === 0) return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(raw.toString('utf8')) };
  } catch {
    return { ok: false };
  }
};

/**
 * One WeChat Pay v3 call (WECHAT-V3.md §4–5): the JSON body serialized once, the exact bytes
 * signed into the Authorization header and sent, and a 2xx answer accepted only when its
 * signature verifies within the 5-minute window — an answer that does not verify is never an
 * answer, it is retryable like a network error. Error answers are read as they come (the SDKs do
 * not verify them either; gateways in front of WeChat do not sign).
 */
export const createSignedJsonCall = ({
  baseUrl,
  mchId,
  merchantSerialNo,
  sign,
  platformKeys,
  publicKeyId,
  transport,
  limiter,
  clock,
  nonce = randomNonceString,
}: SignedJsonCallOptions): V3Call => {
  const base = baseUrl.replace(/\/+$/, '');
  return async ({ method, path, body }, { verify = true } = {}) => {
    const text = body === undefined ? '' : JSON.stringify(body);
    const authorization = authorizationHeader({
      request: { method, canonicalUrl: path, body: text },
      mchId,
      merchantSerialNo,
      sign,
      timestamp: String(Math.floor(clock.now().getTime() / 1000)),
      nonce: nonce(),
    });
    // Reads (the refund query, certificates) only take the rate refunds leave.
    await limiter.acquire(method === 'GET' ? 'query' : 'send');
    const result = await transport.request(method, `${base}${path}`, {
      headers: {
        authorization,
        accept: 'application/json',
        ...(body !== undefined && { 'content-type': 'application/json' }),
        ...(publicKeyId !== undefined && { 'wechatpay-serial': publicKeyId }),
      },
      ...(body !== undefined && { body: text }),
    });
    if (result.kind === 'failure') return transportProblem(result);
    const requestIdHeader = result.headers['request-id'];
    const traced: Traced =
      typeof requestIdHeader === 'string' ? { requestId: requestIdHeader } : {};
    const json = parseJson(result.body);
    if (result.status < 200 || result.status >= 300) {
      const error = json.ok ? errorBodySchema.safeParse(json.value) : undefined;
      if (error?.success) {
        return { ...traced, kind: 'refusal', status: result.status, ...error.data };
      }
      return result.status >= 500
        ? {
            ...traced,
            kind: 'retryable',
            code: `HTTP_${result.status}`,
            message: 'WeChat answered 5xx',
          }
        : // A 4xx that is not WeChat's error body: usually a wrong base URL, which no retry fixes.
          {
            ...traced,
            kind: 'misconfigured',
            code: `HTTP_${result.status}`,
            message: `HTTP ${result.status}`,
          };
    }
    const headers = wechatpayHeadersOf(result.headers);
    if (verify) {
      const check = await checkWechatpaySignature({
        headers,
        body: result.body,
        keys: platformKeys,
        now: clock.now(),
      });
      if (!check.ok) {
        return {
          ...traced,
          kind: 'retryable',
          code: 'BAD_SIGNATURE',
          message: `${check.problem}: ${check.message}`,
        };
      }
    }
    if (!json.ok) {
      return {
        ...traced,
        kind: 'retryable',
        code: 'UNPARSABLE_RESPONSE',
        message: 'the answer is not JSON',
      };
    }
    return {
      ...traced,
      kind: 'answer',
      status: result.status,
      body: json.value,
      raw: result.body,
      headers,
    };
  };
};
