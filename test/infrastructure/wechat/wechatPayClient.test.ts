import { readFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadMerchantCertificate } from '../../../src/infrastructure/wechat/merchantCertificate.js';
import { ensureSandboxCertificates } from '../../../src/sandbox/sandboxCertificates.js';
import { createWechatPayClient } from '../../../src/infrastructure/wechat/wechatPayClient.js';
import { eventually } from '../../support/eventually.js';
import { captureLogs, logLevel } from '../../support/logCapture.js';
import { makeTempDir } from '../../support/fixtures.js';
import { startSandboxFixture, type SandboxFixture } from '../../sandbox/support/sandboxFixture.js';

const temp = makeTempDir('wechat-client-');
const certDir = path.join(temp.dir, 'certs');
let fixture: SandboxFixture;
let counter = 0;
const refundNo = (): string => `R${Date.now()}${++counter}`;
const request = (outRefundNo = refundNo()) => ({
  outRefundNo,
  outTradeNo: `T${outRefundNo}`,
  totalFee: 3960,
  refundFee: 1000,
  reason: '商品已售完',
});

beforeAll(async () => {
  fixture = await startSandboxFixture(certDir);
});
afterAll(async () => {
  await fixture.close();
  temp.remove();
});

/** A server on loopback with the sandbox's own server certificate, answering as told. */
const startHttpsServer = async (answer: (response: ServerResponse) => void) => {
  const server = https.createServer(
    {
      cert: readFileSync(path.join(certDir, 'server_cert.pem')),
      key: readFileSync(path.join(certDir, 'server_key.pem')),
    },
    (_, response) => answer(response),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `https://127.0.0.1:${port}`,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
};

describe('WeChat Pay client against the sandbox (real TLS)', () => {
  it('given the legacy .p12 as downloaded, when refunding, then the refund is accepted', async () => {
    const { sandbox } = fixture;
    const certificate = loadMerchantCertificate({ p12Path: sandbox.p12Path }, sandbox.mchId);
    const outcome = await fixture.client({ certificate }).refund(request());
    expect(outcome).toMatchObject({ kind: 'accepted', refundFee: 1000 });
    if (outcome.kind !== 'accepted') return;
    expect(outcome.refundId).toMatch(/^\d{29,}$/);
  });

  it.each(['MD5', 'HMAC-SHA256'] as const)(
    'given the PEM pair and sign type %s, when refunding and querying, then accepted and found',
    async (signType) => {
      const { sandbox } = fixture;
      const certificate = loadMerchantCertificate(
        {
          certPemPath: path.join(sandbox.certDir, 'apiclient_cert.pem'),
          keyPemPath: path.join(sandbox.certDir, 'apiclient_key.pem'),
        },
        sandbox.mchId,
      );
      const client = fixture.client({ certificate, signType });
      const input = request();
      const outcome = await client.refund(input);
      expect(outcome.kind).toBe('accepted');
      expect(await client.queryRefund(input.outRefundNo)).toMatchObject({
        kind: 'found',
        report: {
          outRefundNo: input.outRefundNo,
          refundFee: 1000,
          order: { outTradeNo: input.outTradeNo, totalFee: 3960 },
        },
      });
    },
  );

  it('given a transaction_id, when refunding, then WeChat refunds that payment and reports it', async () => {
    const outcome = await fixture
      .client()
      .refund({ ...request(), transactionId: '4200000215201811190261405420' });
    expect(outcome).toMatchObject({
      kind: 'accepted',
      transactionId: '4200000215201811190261405420',
    });
  });

  it('given a client certificate from another CA, when refunding, then misconfigured CERT_ERROR', async () => {
    // Same CN (our mch_id) but issued by a CA the sandbox does not know.
    const foreign = ensureSandboxCertificates(
      path.join(temp.dir, 'foreign'),
      fixture.sandbox.mchId,
    );
    const certificate = { certPem: foreign.clientCertPem, keyPem: foreign.clientKeyPem };
    const client = fixture.client({ certificate });
    expect(await client.refund(request())).toMatchObject({
      kind: 'misconfigured',
      code: 'CERT_ERROR',
    });
    // refundquery needs no client certificate.
    expect(await client.queryRefund(refundNo())).toEqual({ kind: 'not_found' });
  });

  it('given a tampered answer sign, when refunding or querying, then retryable BAD_SIGN', async () => {
    const client = fixture.client();
    fixture.sandbox.corruptSigns(true);
    try {
      expect(await client.refund(request())).toMatchObject({ kind: 'retryable', code: 'BAD_SIGN' });
      expect(await client.queryRefund(refundNo())).toMatchObject({
        kind: 'retryable',
        code: 'BAD_SIGN',
      });
    } finally {
      fixture.sandbox.corruptSigns(false);
    }
  });

  it('given a wrong API key, when refunding, then misconfigured (WeChat answers 签名错误)', async () => {
    const outcome = await fixture.client({ apiKey: 'x'.repeat(32) }).refund(request());
    expect(outcome).toMatchObject({ kind: 'misconfigured', code: 'RETURN_FAIL' });
  });

  it("given an appid that is not the merchant's, when refunding, then misconfigured APPID_MCHID_NOT_MATCH", async () => {
    const outcome = await fixture.client({ appid: 'wx0000000000000000' }).refund(request());
    expect(outcome).toMatchObject({ kind: 'misconfigured', code: 'APPID_MCHID_NOT_MATCH' });
  });

  it('given no trust in the sandbox CA, when refunding, then misconfigured TLS_ERROR', async () => {
    const outcome = await fixture.client({ caPath: null }).refund(request());
    expect(outcome).toMatchObject({ kind: 'misconfigured', code: 'TLS_ERROR' });
  });

  it('given a server that never answers, when refunding, then retryable TIMEOUT', async () => {
    const sockets: net.Socket[] = [];
    const silent = net.createServer((socket) => void sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;
    try {
      const outcome = await fixture
        .client({ baseUrl: `https://127.0.0.1:${port}`, timeoutMs: 200 })
        .refund(request());
      expect(outcome).toMatchObject({ kind: 'retryable', code: 'TIMEOUT' });
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  it.each([
    ['HTTP 503', 503, 'ok', { kind: 'retryable', code: 'HTTP_503' }],
    [
      'an unparsable body',
      200,
      '<html>gateway</html>',
      { kind: 'retryable', code: 'UNPARSABLE_RESPONSE' },
    ],
    [
      'an unsigned SUCCESS',
      200,
      '<xml><return_code>SUCCESS</return_code></xml>',
      { kind: 'retryable', code: 'BAD_SIGN' },
    ],
    [
      'return_code FAIL 系统繁忙',
      200,
      '<xml><return_code>FAIL</return_code><return_msg>系统繁忙</return_msg></xml>',
      { kind: 'retryable', code: 'RETURN_FAIL' },
    ],
    ['HTTP 404', 404, 'not found', { kind: 'misconfigured', code: 'HTTP_404' }],
    // Well-formed XML that fast-xml-parser refuses with a plain Error: still not an answer.
    [
      'a field named constructor',
      200,
      '<xml><constructor>x</constructor></xml>',
      { kind: 'retryable', code: 'UNPARSABLE_RESPONSE' },
    ],
    [
      'nesting deeper than 100',
      200,
      `<xml>${'<a>'.repeat(101)}x${'</a>'.repeat(101)}</xml>`,
      { kind: 'retryable', code: 'UNPARSABLE_RESPONSE' },
    ],
  ])('given %s, when refunding, then it is classified', async (_, status, body, expected) => {
    const server = await startHttpsServer((response) => response.writeHead(status).end(body));
    try {
      const outcome = await fixture.client({ baseUrl: server.baseUrl }).refund(request());
      expect(outcome).toMatchObject(expected);
    } finally {
      await server.close();
    }
  });

  it('given an answer the XML parser refuses, when refunding, then a warning says the answer is to be retried and why', async () => {
    const logs = captureLogs();
    const server = await startHttpsServer((response) =>
      response.writeHead(200).end('<xml><__proto__>x</__proto__></xml>'),
    );
    const client = fixture.client({ baseUrl: server.baseUrl, logger: logs.logger });
    try {
      await client.refund(request());
      expect(logs.records()).toContainEqual(
        expect.objectContaining({
          level: logLevel.warn,
          msg: 'WeChat Pay call to retry',
          code: 'UNPARSABLE_RESPONSE',
          reason: expect.stringContaining('not WeChat XML'),
        }),
      );
    } finally {
      client.close();
      await server.close();
    }
  });

  it('given a configuration problem, when logged, then at error level and without secrets', async () => {
    const logs = captureLogs();
    const { sandbox } = fixture;
    const client = createWechatPayClient({
      baseUrl: sandbox.baseUrl,
      appid: 'wx0000000000000000',
      mchId: sandbox.mchId,
      apiKey: sandbox.apiKey,
      signType: 'MD5',
      notifyUrl: fixture.receiver.url,
      certificate: sandbox.clientCertificate,
      caPath: sandbox.caPath,
      maxRequestsPerSecond: 100,
      logger: logs.logger,
    });
    try {
      await client.refund(request());
      const logged = await eventually(() => {
        const text = logs
          .records()
          .map((record) => JSON.stringify(record))
          .join('\n');
        expect(text).toContain('APPID_MCHID_NOT_MATCH');
        return text;
      });
      expect(logged).toContain('"level":50');
      expect(logged).not.toContain(sandbox.apiKey);
      expect(logged).not.toContain('PRIVATE KEY');
    } finally {
      client.close();
    }
  });
});
