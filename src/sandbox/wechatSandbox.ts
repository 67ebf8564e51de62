import type { IncomingMessage, ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { TLSSocket } from 'node:tls';
import pino, { type Logger } from 'pino';
import { z } from 'zod';
import type { MerchantCertificate } from '../infrastructure/wechat/merchantCertificate.js';
import { ensureSandboxCredentials } from './sandboxCredentials.js';
import type { SandboxIdentity } from './sandboxIdentity.js';
import {
  createSandboxLedger,
  type ListedSandboxRefund,
  type SandboxApi,
  type SandboxRefund,
} from './sandboxLedger.js';
import { createSandboxNotifier, type NotificationDelivery } from './sandboxNotifier.js';
import { checkEnvelope, resultFail, signedReply } from './sandboxProtocol.js';
import {
  createSandboxRefundFlow,
  SandboxRefusal,
  type MerchantPlatformRefund,
} from './sandboxRefundFlow.js';
import { answerDownloadBill } from './sandboxBillAnswers.js';
import { billPlanSchema, createSandboxBills, type BillPlan } from './sandboxBills.js';
import { answerRefundQuery } from './sandboxRefundQuery.js';
import { answerV2Refund } from './sandboxV2Refund.js';
import { createSandboxV3Api } from './sandboxV3Api.js';
import { sandboxScenarioSchema, type SandboxScenario } from './sandboxScenario.js';

export type WechatSandboxOptions = {
  /** Where the certificates and sandbox.json live; reused when present. */
  certDir: string;
  /** 0 (default): a free port. The sandbox listens on 127.0.0.1 only. */
  port?: number;
  /** Delay between accepting a refund and settling + notifying it; default 100 ms. */
  notificationDelayMs?: number;
  /** Multiplies WeChat's notification retry schedule (15 s … 6 h); 0.001 for tests. */
  retryTimeScale?: number;
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

export type V3NotificationSigning = 'alternate' | 'platformCertificate' | 'publicKey';

const maxBodyBytes = 64 * 1024;

const readBody = async (request: IncomingMessage): Promise<Buffer | undefined> => {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > maxBodyBytes) return undefined;
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
};

const v2Paths = new Set(['/secapi/pay/refund', '/pay/refundquery', '/pay/downloadbill']);

/** The control endpoint's plans: a bill discrepancy, or a refund only the bill will tell of. */
const billPlanRequestSchema = z.union([
  billPlanSchema,
  z.object({
    kind: z.literal('unnotifiedRefund'),
    outTradeNo: z.string().regex(/^[0-9A-Za-z_\-|*@]{1,32}$/),
    totalFee: z.number().int().positive(),
    refundFee: z.number().int().positive(),
  }),
]);

const scenarioRequestSchema = z.object({
  outRefundNo: z.string().min(1).max(64),
  scenario: sandboxScenarioSchema,
});

/**
 * A WeChat Pay simulator (v2 and v3 on one base URL) over HTTPS on loopback, with its own CA and
 * merchant identity, so it can never be mistaken for the live API: a client trusts it only when
 * given its CA.
 * /secapi/* requires a client certificate issued by the sandbox CA to the mch_id (CERT_ERROR
 * otherwise), as WeChat's secapi does.
 */
export const startWechatSandbox = async (options: WechatSandboxOptions): Promise<WechatSandbox> => {
  const logger = options.logger ?? pino({ level: 'silent' });
  const { identity, certificates, v3Keys } = await ensureSandboxCredentials(options.certDir);
  const now = options.now ?? (() => new Date());
  const ledger = createSandboxLedger({ now });
  let notificationSigning: V3NotificationSigning = 'alternate';
  let v3Notifications = 0;
  const notifier = createSandboxNotifier({
    ...identity,
    v3SigningKey: () => {
      v3Notifications += 1;
      const usePublicKey =
        notificationSigning === 'publicKey' ||
        (notificationSigning === 'alternate' && v3Notifications % 2 === 1);
      return usePublicKey
        ? { serial: v3Keys.publicKey.id, sign: v3Keys.publicKey.sign }
        : { serial: v3Keys.platformCertificate.serial, sign: v3Keys.platformCertificate.sign };
    },
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

  /** POST /sandbox/bill-plans: what the control endpoint answers, status and body. */
  const planned = async (input: unknown): Promise<[number, unknown]> => {
    const parsed = billPlanRequestSchema.safeParse(input);
    if (!parsed.success) return [400, { error: z.prettifyError(parsed.error) }];
    const plan = parsed.data;
    if (plan.kind !== 'unnotifiedRefund') {
      bills.plant(plan);
      return [200, plan];
    }
    try {
      const { kind: _kind, ...refund } = plan;
      return [200, await flow.merchantPlatformRefund({ ...refund, notify: false })];
    } catch (error) {
      if (error instanceof SandboxRefusal)
        return [422, { error: error.message, code: error.errCode }];
      throw error;
    }
  };

  const hasMerchantCertificate = (request: IncomingMessage): boolean => {
    const socket = request.socket;
    return (
      socket instanceof TLSSocket &&
      socket.authorized &&
      socket.getPeerCertificate().subject.CN === identity.mchId
    );
  };

  const wechatAnswer = async (
    request: IncomingMessage,
    path: string,
    body: Buffer,
  ): Promise<string> => {
    const envelope = checkEnvelope(body, identity);
    if (envelope.kind === 'refused') return envelope.reply;
    const { fields, signType } = envelope;
    const reply = (result: Record<string, string>): string =>
      signedReply(result, identity, signType, corrupt);
    if (fields.appid !== identity.appid) {
      return reply(resultFail('APPID_MCHID_NOT_MATCH', 'appid和mch_id不匹配'));
    }
    if (path === '/secapi/pay/refund') {
      if (!hasMerchantCertificate(request)) {
        return reply(resultFail('CERT_ERROR', '证书校验错误 (no valid merchant certificate)'));
      }
      return reply(await answerV2Refund(flow, fields));
    }
    return reply(answerRefundQuery(fields, ledger));
  };

  const json = (response: ServerResponse, status: number, value: unknown): void => {
    response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    if (request.method === 'GET' && path === '/sandbox/refunds') {
      return json(response, 200, ledger.all());
    }
    const body = await readBody(request);
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
    if (
      request.method === 'POST' &&
      (path === '/sandbox/scenarios' || path === '/sandbox/bill-plans')
    ) {
      let input: unknown;
      try {
        input = JSON.parse(body.toString('utf8'));
      } catch {
        return json(response, 400, { error: 'the body must be JSON' });
      }
      if (path === '/sandbox/bill-plans') return json(response, ...(await planned(input)));
      const parsed = scenarioRequestSchema.safeParse(input);
      if (!parsed.success) return json(response, 400, { error: z.prettifyError(parsed.error) });
      scenarios.set(parsed.data.outRefundNo, parsed.data.scenario);
      return json(response, 200, parsed.data);
    }
    if (!v2Paths.has(path)) return json(response, 404, { error: `no such endpoint: ${path}` });
    noteRequest('v2', request.method, path);
    if (path === '/pay/downloadbill' && request.method === 'POST') {
      const envelope = checkEnvelope(body, identity);
      const answer =
        envelope.kind === 'refused'
          ? {
              status: 200,
              headers: { 'content-type': 'text/xml; charset=utf-8' },
              body: envelope.reply,
            }
          : answerDownloadBill(envelope.fields, bills.billOf);
      response.writeHead(answer.status, answer.headers).end(answer.body);
      return;
    }
    const answer =
      request.method === 'POST'
        ? await wechatAnswer(request, path, body)
        : signedReply(
            resultFail('REQUIRE_POST_METHOD', '请使用post方法'),
            identity,
            'MD5',
            corrupt,
          );
    response.writeHead(200, { 'content-type': 'text/xml; charset=utf-8' }).end(answer);
  };

  const server = https.createServer(
    {
      key: certificates.serverKeyPem,
      cert: certificates.serverCertPem,
      ca: certificates.caPem,
      // The certificate is asked for on every connection and judged per path: refundquery needs
      // none, secapi answers CERT_ERROR without a valid one.
      requestCert: true,
      rejectUnauthorized: false,
    },
    (request, response) => {
      handle(request, response).catch((error: unknown) => {
        logger.error({ err: error }, 'sandbox request failed');
        if (!response.headersSent) response.writeHead(500).end();
      });
    },
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
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
    deliveries: () => notifier.deliveries(),
    corruptSigns: (on) => void (corrupt = on),
    simulateMerchantPlatformRefund: (input) => flow.merchantPlatformRefund(input),
    plantBillDiscrepancy: (plan) => bills.plant(plan),
    resolveAbnormal: (outRefundNo) => flow.resolveAbnormal(outRefundNo),
    merchantSerialNo: v3Keys.merchantSerialNo,
    platformPublicKeyPath: v3Keys.publicKeyPath,
    platformPublicKeyPem: v3Keys.publicKey.pem,
    platformCertificateSerial: v3Keys.platformCertificate.serial,
    signNotificationsWith: (choice) => void (notificationSigning = choice),
    requests: () => [...requests],
    close: async () => {
      notifier.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
};
