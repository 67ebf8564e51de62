import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRsaSigner } from '../../../src/infrastructure/wechat/v3/rsaSigner.js';
import type { SandboxRefund } from '../../../src/sandbox/sandboxRefund.js';
import { sandboxV3Files } from '../../../src/sandbox/sandboxV3Keys.js';
import {
  v3Notification,
  wechatpaySignatureHeaders,
  type WechatpaySigningKey,
} from '../../../src/sandbox/sandboxV3Protocol.js';
import { eventually } from '../../support/eventually.js';
import { sharedSandboxCertDir } from '../../support/fixtures.js';
import { startTestService, type TestService } from '../../support/testService.js';

describe('POST /wechat/v3/refund-notify', () => {
  let s: TestService;
  beforeEach(async () => {
    // The reconciler would settle the refunds whose notification the simulator keeps from us.
    s = await startTestService({ WECHAT_API_VERSION: 'v3', RECONCILE_AFTER_SECONDS: '3600' });
  });
  afterEach(() => s.stop());

  /** WeChat Pay's public key as the sandbox signs with it (the key behind wechatpay_public_key.pem). */
  const publicKeySigner = (): WechatpaySigningKey => ({
    serial: s.wechat.sandbox!.platformPublicKeyId,
    sign: createRsaSigner(
      createPrivateKey(
        readFileSync(path.join(sharedSandboxCertDir(), sandboxV3Files.publicKeySigningKey)),
      ),
    ),
  });
  const notification = (
    refund: SandboxRefund,
    overrides: { mchId?: string; apiV3Key?: string; key?: WechatpaySigningKey; now?: Date } = {},
  ) =>
    v3Notification(refund, {
      mchId: s.wechat.sandbox!.mchId,
      apiV3Key: s.wechat.sandbox!.apiV3Key,
      key: publicKeySigner(),
      now: new Date(),
      ...overrides,
    });
  /** The same body with a fresh, valid signature: for what only the decryption can catch. */
  const resigned = (body: string) => ({
    body,
    headers: {
      'content-type': 'application/json',
      ...wechatpaySignatureHeaders(publicKeySigner(), body, new Date()),
    },
  });
  const notify = async ({ body, headers }: { body: string; headers: Record<string, string> }) => {
    const response = await fetch(`${s.url}/wechat/v3/refund-notify`, {
      method: 'POST',
      headers,
      body,
    });
    return {
      status: response.status,
      body: await response.text(),
      type: response.headers.get('content-type'),
    };
  };
  const eventTypes = async (outRefundNo: string) =>
    (await s.events.readStream(`refund-${outRefundNo}`)).map((e) => e.type);
  /** A refund taken by the simulator through v3, whose own notification is kept from us. */
  const acceptedRefund = async (outRefundNo: string): Promise<SandboxRefund> => {
    const created = await s.call('POST', '/v1/refunds', {
      outTradeNo: `T-${outRefundNo}`,
      outRefundNo,
      totalFee: 500,
      reason: '[sandbox:LOST_NOTIFICATION]',
    });
    expect(created.status).toBe(202);
    await eventually(async () =>
      expect(await eventTypes(outRefundNo)).toEqual(['RefundRequested', 'RefundAccepted']),
    );
    return eventually(() => {
      const refund = s.wechat.sandbox!.refunds().find((r) => r.outRefundNo === outRefundNo);
      expect(refund).toMatchObject({ status: 'SUCCESS', api: 'v3' });
      return refund!;
    });
  };

  it('given a valid notification posted five times, two of them at once, then every answer is 204 and one RefundSucceeded is stored', async () => {
    const refund = await acceptedRefund('R1');
    const valid = notification(refund);

    const answers = [await notify(valid), await notify(valid)];
    answers.push(...(await Promise.all([1, 2, 3].map(() => notify(valid)))));

    expect(answers.map((a) => [a.status, a.body])).toEqual(Array(5).fill([204, '']));
    expect(await eventTypes('R1')).toEqual([
      'RefundRequested',
      'RefundAccepted',
      'RefundSucceeded',
    ]);
    const view = await (await s.call('GET', '/v1/refunds/R1')).json();
    expect(view).toMatchObject({
      status: 'SUCCEEDED',
      refundId: refund.refundId,
      refundRecvAccount: '支付用户零钱',
      successTime: expect.stringMatching(/\+08:00$/),
    });
  });

  it('given a notification signed by the platform certificate, then the certificate is downloaded and it verifies', async () => {
    const refund = await acceptedRefund('R1');
    const key: WechatpaySigningKey = {
      serial: s.wechat.sandbox!.platformCertificateSerial,
      sign: createRsaSigner(
        createPrivateKey(
          readFileSync(path.join(sharedSandboxCertDir(), sandboxV3Files.platformSigningKey)),
        ),
      ),
    };
    expect((await notify(notification(refund, { key }))).status).toBe(204);
    expect(await eventTypes('R1')).toContain('RefundSucceeded');
  });

  const otherKey = createRsaSigner(generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey);
  const tamper = (text: string) => `${text.startsWith('A') ? 'B' : 'A'}${text.slice(1)}`;
  const withResource = (body: string, change: (resource: Record<string, string>) => void) => {
    const envelope = JSON.parse(body);
    change(envelope.resource);
    return JSON.stringify(envelope);
  };

  it.each([
    [
      'signed with another key',
      401,
      'NOTIFY_SIGNATURE_INVALID',
      (r: SandboxRefund, n: typeof notification) =>
        n(r, { key: { serial: s.wechat.sandbox!.platformPublicKeyId, sign: otherKey } }),
    ],
    [
      'naming an unknown serial',
      401,
      'NOTIFY_SERIAL_UNKNOWN',
      (r: SandboxRefund, n: typeof notification) =>
        n(r, { key: { serial: '5157F09EFDC096DE15EBE81A47057A7232F1B8E1', sign: otherKey } }),
    ],
    [
      'ten minutes old',
      401,
      'NOTIFY_TIMESTAMP_STALE',
      (r: SandboxRefund, n: typeof notification) => n(r, { now: new Date(Date.now() - 600_000) }),
    ],
    [
      'that is a SIGNTEST probe',
      401,
      'NOTIFY_SIGNATURE_TEST',
      (r: SandboxRefund, n: typeof notification) => {
        const probe = n(r);
        return {
          ...probe,
          headers: {
            ...probe.headers,
            'wechatpay-signature': `WECHATPAY/SIGNTEST/${probe.headers['wechatpay-signature']}`,
          },
        };
      },
    ],
    [
      'without signature headers',
      401,
      'NOTIFY_SIGNATURE_HEADERS_MISSING',
      (r: SandboxRefund, n: typeof notification) => ({
        body: n(r).body,
        headers: { 'content-type': 'application/json' },
      }),
    ],
    [
      'whose body was changed after signing',
      401,
      'NOTIFY_SIGNATURE_INVALID',
      (r: SandboxRefund, n: typeof notification) => {
        const valid = n(r);
        return {
          ...valid,
          body: withResource(
            valid.body,
            (resource) => (resource.ciphertext = tamper(resource.ciphertext!)),
          ),
        };
      },
    ],
    [
      'encrypted with another APIv3 key',
      400,
      'NOTIFY_DECRYPT_FAILED',
      (r: SandboxRefund, n: typeof notification) =>
        n(r, { apiV3Key: '0123456789abcdef0123456789abcdef' }),
    ],
    [
      'with a tampered ciphertext, signed again',
      400,
      'NOTIFY_DECRYPT_FAILED',
      (r: SandboxRefund, n: typeof notification) =>
        resigned(
          withResource(
            n(r).body,
            (resource) => (resource.ciphertext = tamper(resource.ciphertext!)),
          ),
        ),
    ],
    [
      'with a tampered tag, signed again',
      400,
      'NOTIFY_DECRYPT_FAILED',
      (r: SandboxRefund, n: typeof notification) =>
        resigned(
          withResource(n(r).body, (resource) => {
            const sealed = Buffer.from(resource.ciphertext!, 'base64');
            sealed.writeUInt8(sealed.readUInt8(sealed.length - 1) ^ 1, sealed.length - 1);
            resource.ciphertext = sealed.toString('base64');
          }),
        ),
    ],
    [
      'for another mchid',
      400,
      'NOTIFY_MERCHANT_MISMATCH',
      (r: SandboxRefund, n: typeof notification) => n(r, { mchId: '1900000001' }),
    ],
    ['that is not JSON', 400, 'NOTIFY_MALFORMED_JSON', () => resigned('{"id":')],
    [
      'of a payment, not a refund',
      400,
      'NOTIFY_UNSUPPORTED_EVENT',
      (r: SandboxRefund, n: typeof notification) =>
        resigned(n(r).body.replace('REFUND.SUCCESS', 'TRANSACTION.SUCCESS')),
    ],
    [
      'over 64 KiB',
      413,
      undefined,
      (r: SandboxRefund, n: typeof notification) =>
        resigned(n(r).body.replace('"summary":"', `"summary":"${'x'.repeat(70_000)}`)),
    ],
  ])(
    'given a notification %s, then %i with a FAIL body and nothing changes',
    async (_case, status, code, make) => {
      const refund = await acceptedRefund('R1');
      const before = await eventTypes('R1');

      const answer = await notify(make(refund, notification));

      expect(answer.status).toBe(status);
      expect(answer.type).toContain('application/json');
      expect(JSON.parse(answer.body)).toMatchObject({
        code: 'FAIL',
        ...(code && { message: code }),
      });
      expect(answer.body).not.toContain(s.wechat.sandbox!.apiV3Key);
      expect(await eventTypes('R1')).toEqual(before);
    },
  );

  it('given the event store is down, then 503 with a FAIL body so that WeChat delivers it again', async () => {
    const refund = await acceptedRefund('R1');
    await s.events.close();

    const answer = await notify(notification(refund));

    expect(answer.status).toBe(503);
    expect(JSON.parse(answer.body)).toMatchObject({ code: 'FAIL' });
  });
});
