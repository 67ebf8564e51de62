import { randomBytes } from 'node:crypto';
import type { RsaSigner } from './rsaSigner.js';

/** The only scheme WeChat Pay v3 defines (WECHAT-V3.md §4). */
export const authorizationScheme = 'WECHATPAY2-SHA256-RSA2048';

export type SignedRequest = {
  method: string;
  /** Path plus query, e.g. /v3/refund/domestic/refunds/R1. */
  canonicalUrl: string;
  /** The exact body sent; empty for a GET. */
  body: string;
};

export type AuthorizationParameters = {
  mchid: string;
  nonce_str: string;
  timestamp: string;
  serial_no: string;
  signature: string;
};

/** `METHOD\nURL\nTIMESTAMP\nNONCE\nBODY\n`: what the merchant signs (WECHAT-V3.md §4). */
export const requestMessage = (request: SignedRequest, timestamp: string, nonce: string): string =>
  `${request.method}\n${request.canonicalUrl}\n${timestamp}\n${nonce}\n${request.body}\n`;

/** `TIMESTAMP\nNONCE\nBODY\n` over the body's exact bytes: what WeChat signs (WECHAT-V3.md §5). */
export const answerMessage = (timestamp: string, nonce: string, body: Buffer | string): Buffer =>
  Buffer.concat([Buffer.from(`${timestamp}\n${nonce}\n`), Buffer.from(body), Buffer.from('\n')]);

/** 32 random characters, like the SDKs' nonce_str. */
export const randomNonceString = (): string => randomBytes(16).toString('hex');

/** The Authorization header of one request, signed with the merchant's key. */
export const authorizationHeader = ({
  request,
  mchId,
  merchantSerialNo,
  sign,
  timestamp,
  nonce,
}: {
  request: SignedRequest;
  mchId: string;
  merchantSerialNo: string;
  sign: RsaSigner;
  timestamp: string;
  nonce: string;
}): string => {
  const parameters: AuthorizationParameters = {
    mchid: mchId,
    nonce_str: nonce,
    timestamp,
    serial_no: merchantSerialNo,
    signature: sign(requestMessage(request, timestamp, nonce)),
  };
  const list = Object.entries(parameters).map(([name, value]) => `${name}="${value}"`);
  return `${authorizationScheme} ${list.join(',')}`;
};

const parameterPattern = /^\s*([a-z_]+)="([^"]*)"\s*$/;

/** The parameters of an Authorization header, or undefined when it is not WeChat's scheme. */
export const parseAuthorization = (
  header: string | undefined,
): AuthorizationParameters | undefined => {
  if (header === undefined || !header.startsWith(`${authorizationScheme} `)) return undefined;
  const found = new Map<string, string>();
  for (const part of header.slice(authorizationScheme.length + 1).split(',')) {
    const match = parameterPattern.exec(part);
    if (!match?.[1] || match[2] === undefined) return undefined;
    found.set(match[1], match[2]);
  }
  const value = (name: keyof AuthorizationParameters): string | undefined => found.get(name);
  const [mchid, nonce_str, timestamp, serial_no, signature] = (
    ['mchid', 'nonce_str', 'timestamp', 'serial_no', 'signature'] as const
  ).map(value);
  if (!mchid || !nonce_str || !timestamp || !serial_no || !signature) return undefined;
  return { mchid, nonce_str, timestamp, serial_no, signature };
};
