import type { KeyObject } from 'node:crypto';
import type { Logger } from 'pino';
import type { Clock } from '../../../application/ports/clock.js';
import { createHttpsTransport } from '../httpsTransport.js';
import { createRateLimiter } from '../rateLimiter.js';
import type { WechatPayClient } from '../wechatPayClient.js';
import { downloadPlatformCertificates } from './platformCertificateDownload.js';
import {
  createPlatformCertificateStore,
  type PlatformCertificateStore,
} from './platformCertificateStore.js';
import {
  platformKeysBySerial,
  type PlatformKeys,
  type WechatpayPublicKey,
} from './platformKeys.js';
import { authorizationHeader, randomNonceString } from './authorization.js';
import { createRsaSigner } from './rsaSigner.js';
import { createV3BillDownload } from './v3BillDownload.js';
import { createSignedJsonCall } from './signedJsonCall.js';
import {
  createV3RefundNotificationDecoder,
  type V3RefundNotificationDecoder,
} from './v3RefundNotificationDecoder.js';
import { createWechatPayV3Client } from './wechatPayV3Client.js';

/** What API v3 needs, read and checked (wechatV3Credentials.ts does that for the live mode). */
export type WechatV3Credentials = {
  baseUrl: string;
  mchId: string;
  merchantSerialNo: string;
  privateKey: KeyObject;
  /** The APIv3 key, then a former one during a rotation. */
  apiV3Keys: string[];
  /** WeChat Pay's public key; platform certificates are downloaded for other serials. */
  publicKey?: WechatpayPublicKey;
  /** Where downloaded platform certificates are kept (under DATA_DIR). */
  certificateCacheFile: string;
  caPath?: string;
  ca?: string;
  maxRequestsPerSecond: number;
  timeoutMs?: number;
};

export type WechatV3 = {
  platformKeys: PlatformKeys;
  certificates: PlatformCertificateStore;
  decode: V3RefundNotificationDecoder;
  /** A RefundGateway whose notify_url is the given one (PUBLIC_BASE_URL + /wechat/v3/refund-notify). */
  createClient: (notifyUrl: string) => WechatPayClient;
  close: () => void;
};

/**
 * WeChat Pay v3 for one merchant: the platform keys (public key and downloaded certificates,
 * chosen by serial) shared by the clients' answer verification and the notification decoder.
 * All calls share one rate limit (WeChat's is per merchant).
 */
export const setUpWechatV3 = (
  credentials: WechatV3Credentials,
  { logger, clock }: { logger: Logger; clock: Clock },
): WechatV3 => {
  const { caPath, ca, timeoutMs, publicKey, apiV3Keys } = credentials;
  const limiter = createRateLimiter({ perSecond: credentials.maxRequestsPerSecond });
  const sign = createRsaSigner(credentials.privateKey);
  const newTransport = () =>
    createHttpsTransport({
      ...(caPath !== undefined && { caPath }),
      ...(ca !== undefined && { ca }),
      ...(timeoutMs !== undefined && { timeoutMs }),
    });
  const callOver = (transport: ReturnType<typeof newTransport>) =>
    createSignedJsonCall({
      baseUrl: credentials.baseUrl,
      mchId: credentials.mchId,
      merchantSerialNo: credentials.merchantSerialNo,
      sign,
      platformKeys,
      ...(publicKey !== undefined && { publicKeyId: publicKey.id }),
      transport,
      limiter,
      clock,
    });
  const certificateTransport = newTransport();
  const certificates = createPlatformCertificateStore({
    download: () =>
      downloadPlatformCertificates({
        call: callOver(certificateTransport),
        apiV3Keys,
        ...(publicKey !== undefined && { publicKey }),
        now: () => clock.now(),
      }),
    cacheFile: credentials.certificateCacheFile,
    clock,
    log: logger,
  });
  const platformKeys = platformKeysBySerial({
    ...(publicKey !== undefined && { publicKey }),
    certificates,
  });
  return {
    platformKeys,
    certificates,
    decode: createV3RefundNotificationDecoder({
      mchId: credentials.mchId,
      apiV3Keys,
      platformKeys,
      clock,
    }),
    createClient: (notifyUrl) => {
      const transport = newTransport();
      const call = callOver(transport);
      return createWechatPayV3Client({
        call,
        notifyUrl,
        logger,
        downloadBill: createV3BillDownload({
          call,
          baseUrl: credentials.baseUrl,
          transport,
          authorize: (canonicalUrl) =>
            authorizationHeader({
              request: { method: 'GET', canonicalUrl, body: '' },
              mchId: credentials.mchId,
              merchantSerialNo: credentials.merchantSerialNo,
              sign,
              timestamp: String(Math.floor(clock.now().getTime() / 1000)),
              nonce: randomNonceString(),
            }),
        }),
        close: () => transport.close(),
      });
    },
    close: () => certificateTransport.close(),
  };
};
