import type { IncomingMessage, ServerResponse } from 'node:http';
import pino, { type Logger } from 'pino';
import type { MerchantCertificate } from '../infrastructure/wechat/merchantCertificate.js';
import { ensureSandboxCredentials } from './sandboxCredentials.js';
import type { SandboxIdentity } from './sandboxIdentity.js';
import { createSandboxCalls } from './sandboxCalls.js';
import { createSandboxLedger } from './sandboxLedger.js';
import type { ListedSandboxRefund, SandboxApi, SandboxRefund } from './sandboxRefund.js';
import { createSandboxNotifier, type NotificationDelivery } from './sandboxNotifier.js';
import { createSandboxRefundFlow, type MerchantPlatformRefund } from './sandboxRefundFlow.js';
import { createSandboxBills, type BillPlan } from './sandboxBills.js';
import {
  controlPaths,
  createSandboxControl,
  createSandboxListings,
  type SandboxCallReport,
} from './sandboxControl.js';
import type { SandboxScenario } from './sandboxScenario.js';
import { createSandboxV2Api, v2Paths } from './sandboxV2Api.js';
import { createSandboxV3Api } from './sandboxV3Api.js';
import {
  v3NotificationSigning,
  type V3NotificationSigning,
} from './sandboxV3NotificationSigning.js';
import { readRequestBody } from './readRequestBody.js';
import { startSandboxServer } from './sandboxServer.js';

export type WechatSandboxOptions = {
  /** Where the certificates and sandbox.json live; reused when present. */
  certDir: string;
  /** 0 (default): a free port. The sandbox listens on 127.0.0.1 only. */
  port?: number;
  /** Delay between accepting a refund and settling + notifying it; default 100 ms. */
  notificationDelayMs?: number;
  /** Multiplies WeChat's notification retry schedule (15 s … 6 h); 0.001 for tests. */
  retryTimeScale?: number;
  /** WeChat's rate limit on refunds and queries together (150/s live); default 0: none. */
  maxRequestsPerSecond?: number;
  logger?: Logger;
  now?: () => Date;
};

export type WechatSandbox = SandboxIdentity & {
  baseUrl: string;
  certDir: string;
  /** The sandbox CA: trust it (WECHAT_CA_PATH) to talk to the sandbox. */
  caPath: string;
  caPem: string;
  /** The merchant client certificate it issued (also in certDir as .p12 and PEM). */
  clientCertificate: MerchantCertificate;
  p12Path: string;
  setScenario(outRefundNo: string, scenario: SandboxScenario): void;
  refunds(): ListedSandboxRefund[];
  /** The refund and query calls it counted, and its notification attempts (GET /sandbox/calls). */
  calls(): SandboxCallReport;
  deliveries(): NotificationDelivery[];
  /** Test hook: while on, every signed answer carries a wrong sign (v2) or signature (v3). */
  corruptSigns(on: boolean): void;
  /** A refund made on the merchant platform; with `notify: false` only the bill tells of it. */
  simulateMerchantPlatformRefund(input: MerchantPlatformRefund): Promise<SandboxRefund>;
  /** Plants a discrepancy in the bills it serves (sandboxBills.ts). */
  plantBillDiscrepancy(plan: BillPlan): void;
  /** The merchant resolves an abnormal (CHANGE / ABNORMAL) refund: it succeeds, WeChat notifies. */
  resolveAbnormal(outRefundNo: string): Promise<SandboxRefund | undefined>;
  /** API v3: the serial of the merchant API certificate it issued (WECHAT_MERCHANT_SERIAL_NO). */
  merchantSerialNo: string;
  /** API v3: WeChat Pay's public key (WECHAT_PLATFORM_PUBLIC_KEY_PATH and its PEM). */
  platformPublicKeyPath: string;
  platformPublicKeyPem: string;
  /** API v3: the serial of the platform certificate served by /v3/certificates. */
  platformCertificateSerial: string;
  /**
   * API v3: which key signs notifications. WeChat mixes both while a merchant moves to the public
   * key; the default alternates.
   */
  signNotificationsWith(choice: V3NotificationSigning): void;
  /** The latest calls it answered (10,000 at most), in order: API, method and path. */
  requests(): { api: SandboxApi; method: string; path: string }[];
  close(): Promise<void>;
};

/**
 * A WeChat Pay simulator (v2 and v3 on one base URL) over HTTPS on loopback, with its own CA and
 * merchant identity, so it can never be mistaken for the live API: a client trusts it only when
 * given its CA. API v2 answers in sandboxV2Api.ts, v3 in sandboxV3Api.ts, the sandbox's own
 * control endpoints in sandboxControl.ts.
 */
export const startWechatSandbox = async (options: WechatSandboxOptions): Promise<WechatSandbox> => {
  const logger = options.logger ?? pino({ level: 'silent' });
  const { identity, certificates, v3Keys } = await ensureSandboxCredentials(options.certDir);
  const now = options.now ?? (() => new Date());
  const calls = createSandboxCalls({ perSecond: options.maxRequestsPerSecond ?? 0, now });
  const ledger = createSandboxLedger({ now, calls });
  const signing = v3NotificationSigning(v3Keys);
  const notifier = createSandboxNotifier({
    ...identity,
    v3SigningKey: signing.next,
    now,
    timeScale: options.retryTimeScale ?? 1,
    logger,
  });
  const scenarios = new Map<string, SandboxScenario>();
  const flow = createSandboxRefundFlow({
    ledger,
    notifier,
    scenarios,
    notificationDelayMs: options.notificationDelayMs ?? 100,
  });
  const bills = createSandboxBills({ ledger, identity, now });
  let corrupt = false;
  let baseUrl = '';
  const v3Api = createSandboxV3Api({
    identity,
    keys: v3Keys,
    flow,
    ledger,
    bills,
    baseUrl: () => baseUrl,
    corrupt: () => corrupt,
    now,
  });
  const requests: { api: SandboxApi; method: string; path: string }[] = [];
  /** Notes a call; only the latest are kept, so a long-running sandbox does not grow without end. */
  const noteRequest = (api: SandboxApi, method: string | undefined, path: string): void => {
    requests.push({ api, method: method ?? '', path });
    if (requests.length > 10_000) requests.splice(0, requests.length - 10_000);
  };

  const v2Api = createSandboxV2Api({ identity, flow, ledger, bills, corrupt: () => corrupt });
  const control = createSandboxControl({ flow, bills, scenarios });
  const listings = createSandboxListings({ ledger, calls, notifier });
  const json = (response: ServerResponse, status: number, value: unknown): void => {
    response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    const listing = request.method === 'GET' ? listings.at(path) : undefined;
    if (listing !== undefined) return json(response, 200, listing);
    const body = await readRequestBody(request);
    if (body === undefined) return json(response, 413, { error: 'body too large' });
    if (path.startsWith('/v3/')) {
      noteRequest('v3', request.method, path);
      const answer = await v3Api({
        method: request.method ?? '',
        url: request.url ?? '/',
        headers: request.headers,
        body,
      });
      response.writeHead(answer.status, answer.headers).end(answer.body);
      return;
    }
    if (request.method === 'POST' && controlPaths.has(path)) {
      return json(response, ...(await control(path, body)));
    }
    if (!v2Paths.has(path)) return json(response, 404, { error: `no such endpoint: ${path}` });
    noteRequest('v2', request.method, path);
    const answer = await v2Api(request, path, body);
    response.writeHead(answer.status, answer.headers).end(answer.body);
  };

  const { server, port } = await startSandboxServer({
    certificates,
    port: options.port ?? 0,
    logger,
    handle,
  });
  baseUrl = `https://127.0.0.1:${port}`;

  return {
    ...identity,
    baseUrl,
    certDir: options.certDir,
    caPath: certificates.caPath,
    caPem: certificates.caPem,
    clientCertificate: { certPem: certificates.clientCertPem, keyPem: certificates.clientKeyPem },
    p12Path: certificates.p12Path,
    setScenario: (outRefundNo, scenario) => void scenarios.set(outRefundNo, scenario),
    refunds: () => ledger.all(),
    calls: listings.callReport,
    deliveries: () => notifier.deliveries(),
    corruptSigns: (on) => void (corrupt = on),
    simulateMerchantPlatformRefund: (input) => flow.merchantPlatformRefund(input),
    plantBillDiscrepancy: (plan) => bills.plant(plan),
    resolveAbnormal: (outRefundNo) => flow.resolveAbnormal(outRefundNo),
    merchantSerialNo: v3Keys.merchantSerialNo,
    platformPublicKeyPath: v3Keys.publicKeyPath,
    platformPublicKeyPem: v3Keys.publicKey.pem,
    platformCertificateSerial: v3Keys.platformCertificate.serial,
    signNotificationsWith: signing.use,
    requests: () => [...requests],
    close: async () => {
      notifier.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
};
