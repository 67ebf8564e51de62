import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Aes, Formatter, Rsa, Wechatpay } from 'wechatpay-axios-plugin';
import { eventually } from '../support/eventually.js';
import { childStartMs, collect, spawnTs } from '../support/spawnTs.js';
import { makeTempDir } from '../support/fixtures.js';
import type { Json } from '../support/testService.js';

/** The line `refunds sandbox` prints (DESIGN §7). */
const sandboxLine = z.object({
  baseUrl: z.string(),
  mchId: z.string(),
  caPath: z.string(),
  certDir: z.string(),
  apiV3Key: z.string(),
  merchantSerialNo: z.string(),
  platformPublicKeyId: z.string(),
});

type Received = { headers: http.IncomingHttpHeaders; body: string };

/**
 * A published WeChat Pay v3 SDK (wechatpay-axios-plugin, TheNorthMemory's, listed by WeChat Pay)
 * against `refunds sandbox` run as its own process: the SDK signs its requests and verifies every
 * answer with its own code, so this proves the sandbox speaks v3 as WeChat does, not only as our
 * client expects.
 */
describe('refunds sandbox through the wechatpay-axios-plugin SDK', () => {
  const temp = makeTempDir('wechatpay-sdk-');
  const child = spawnTs(
    'src/cli/refunds.ts',
    ['sandbox', '--certs', path.join(temp.dir, 'certs')],
    {
      LOG_LEVEL: 'silent',
      DATA_DIR: temp.dir,
    },
  );
  const output = collect(child).output;
  const received: Received[] = [];
  const notifyServer = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
      response.writeHead(204).end();
    });
  });
  let sandbox: z.infer<typeof sandboxLine>;
  let notifyUrl: string;
  let privateKey: Buffer;
  let httpsAgent: https.Agent | undefined;
  // The SDK's chained API (wxpay.v3.refund.domestic.refunds.post) is built by a Proxy at run time.
  const sdk = (certs: Record<string, string | Buffer>): Json =>
    new Wechatpay({
      mchid: sandbox.mchId,
      serial: sandbox.merchantSerialNo,
      privateKey,
      certs,
      baseURL: `${sandbox.baseUrl}/`,
      httpsAgent,
    });

  beforeAll(async () => {
    const line = await eventually(
      () => {
        const { stdout, stderr } = output();
        expect(stdout.includes('\n'), stderr).toBe(true);
        return stdout.split('\n')[0]!;
      },
      { timeoutMs: childStartMs },
    );
    sandbox = sandboxLine.parse(JSON.parse(line));
    privateKey = readFileSync(path.join(sandbox.certDir, 'apiclient_key.pem'));
    httpsAgent = new https.Agent({ ca: readFileSync(sandbox.caPath) });
    await new Promise<void>((resolve) => notifyServer.listen(0, '127.0.0.1', resolve));
    notifyUrl = `http://127.0.0.1:${(notifyServer.address() as AddressInfo).port}/wechat/v3/refund-notify`;
  }, childStartMs + 10_000);
  afterAll(async () => {
    // Undefined when the sandbox never started: the failure is beforeAll's, not this.
    httpsAgent?.destroy();
    notifyServer.closeAllConnections();
    await new Promise((resolve) => notifyServer.close(resolve));
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
    temp.remove();
  });

  it("given WeChat Pay's public key (wechatpay_public_key.pem), then the SDK creates and queries a refund and verifies both answers", async () => {
    const publicKey = readFileSync(path.join(sandbox.certDir, 'wechatpay_public_key.pem'));
    const wxpay = sdk({ [sandbox.platformPublicKeyId]: publicKey });
    // As WeChat asks of merchants using its public key: name it, and the answer is signed with it.
    const headers = { 'Wechatpay-Serial': sandbox.platformPublicKeyId };

    const created = await wxpay.v3.refund.domestic.refunds.post(
      {
        out_trade_no: 'T-sdk-1',
        out_refund_no: 'R-sdk-1',
        reason: 'SDK',
        notify_url: notifyUrl,
        amount: { refund: 100, total: 300, currency: 'CNY' },
      },
      { headers },
    );
    expect(created.status).toBe(200);
    expect(created.headers['wechatpay-serial']).toBe(sandbox.platformPublicKeyId);
    expect(created.data).toMatchObject({
      out_refund_no: 'R-sdk-1',
      out_trade_no: 'T-sdk-1',
      refund_id: expect.stringMatching(/^\d{20,}$/),
      status: expect.stringMatching(/^(PROCESSING|SUCCESS)$/),
      amount: { refund: 100, total: 300, currency: 'CNY' },
    });

    const queried = await wxpay.v3.refund.domestic.refunds._out_refund_no_.get({
      out_refund_no: 'R-sdk-1',
      headers,
    });
    expect(queried.data).toMatchObject({
      out_refund_no: 'R-sdk-1',
      refund_id: created.data.refund_id,
    });
  });

  it('given no platform certificate yet, then the SDK downloads /v3/certificates, decrypts one with the APIv3 key, and with it verifies answers signed by the platform certificate', async () => {
    const publicKey = readFileSync(path.join(sandbox.certDir, 'wechatpay_public_key.pem'));
    const bootstrap = sdk({ [sandbox.platformPublicKeyId]: publicKey });
    const listed = await bootstrap.v3.certificates.get({
      headers: { 'Wechatpay-Serial': sandbox.platformPublicKeyId },
    });
    const [entry] = listed.data.data;
    const { ciphertext, nonce, associated_data } = entry.encrypt_certificate;
    const certificate = Aes.AesGcm.decrypt(ciphertext, sandbox.apiV3Key, nonce, associated_data);
    expect(certificate).toMatch(/^-----BEGIN CERTIFICATE-----/);

    const wxpay = sdk({ [entry.serial_no]: certificate });
    const created = await wxpay.v3.refund.domestic.refunds.post({
      out_trade_no: 'T-sdk-2',
      out_refund_no: 'R-sdk-2',
      notify_url: notifyUrl,
      amount: { refund: 200, total: 200, currency: 'CNY' },
    });
    expect(created.headers['wechatpay-serial']).toBe(entry.serial_no);
    const queried = await wxpay.v3.refund.domestic.refunds._out_refund_no_.get({
      out_refund_no: 'R-sdk-2',
    });
    expect(queried.data.out_refund_no).toBe('R-sdk-2');

    // WeChat's error answers, as the SDK reports them.
    await expect(
      wxpay.v3.refund.domestic.refunds._out_refund_no_.get({ out_refund_no: 'R-sdk-none' }),
    ).rejects.toMatchObject({ response: { status: 404, data: { code: 'RESOURCE_NOT_EXISTS' } } });

    // The notifications: verified with the SDK's RSA and decrypted with its AES-GCM.
    const keys: Record<string, string | Buffer> = {
      [sandbox.platformPublicKeyId]: publicKey,
      [entry.serial_no]: certificate,
    };
    await eventually(() => expect(received.length).toBeGreaterThanOrEqual(2));
    for (const { headers, body } of received) {
      const serial = String(headers['wechatpay-serial']);
      expect(
        Rsa.verify(
          Formatter.response(
            String(headers['wechatpay-timestamp']),
            String(headers['wechatpay-nonce']),
            body,
          ),
          String(headers['wechatpay-signature']),
          Rsa.from(keys[serial]!, Rsa.KEY_TYPE_PUBLIC),
        ),
      ).toBe(true);
      const { resource, event_type } = JSON.parse(body);
      expect(event_type).toBe('REFUND.SUCCESS');
      const refund = JSON.parse(
        Aes.AesGcm.decrypt(
          resource.ciphertext,
          sandbox.apiV3Key,
          resource.nonce,
          resource.associated_data,
        ),
      );
      expect(refund).toMatchObject({ mchid: sandbox.mchId, refund_status: 'SUCCESS' });
    }
    // Both verification paths: the notifications alternate between the two keys.
    expect(new Set(received.map((r) => r.headers['wechatpay-serial']))).toEqual(
      new Set([sandbox.platformPublicKeyId, entry.serial_no]),
    );
  });
});
