import { generateKeyPairSync } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GatewayRefundRequest } from '../../../../src/application/ports/refundGateway.js';
import { closedPort } from '../../../support/closedPort.js';
import { eventually } from '../../../support/eventually.js';
import { makeTempDir } from '../../../support/fixtures.js';
import {
  startSandboxV3Fixture,
  type SandboxV3Fixture,
} from '../../../sandbox/support/sandboxV3Fixture.js';

const temp = makeTempDir('wechat-v3-client-');
let fixture: SandboxV3Fixture;
let counter = 0;
const request = (overrides: Partial<GatewayRefundRequest> = {}): GatewayRefundRequest => {
  const id = `${Date.now()}${++counter}`;
  return {
    outRefundNo: `R${id}`,
    outTradeNo: `T${id}`,
    totalFee: 3960,
    refundFee: 1000,
    ...overrides,
  };
};
const withScenario = (scenario: string) => request({ reason: `测试 [sandbox:${scenario}]` });
beforeAll(async () => {
  fixture = await startSandboxV3Fixture(path.join(temp.dir, 'certs'));
});
afterAll(async () => {
  await fixture.close();
  temp.remove();
});

describe('WeChat Pay v3 client: creating refunds', () => {
  it("given a refund, when sent, then accepted with WeChat's refund_id and amounts; sent again, the same refund", async () => {
    const client = fixture.client();
    const input = request();
    const first = await client.refund(input);
    const simulated = fixture.sandbox.refunds().find((r) => r.outRefundNo === input.outRefundNo)!;
    expect(first).toEqual({
      kind: 'accepted',
      refundId: simulated.refundId,
      transactionId: simulated.transactionId,
      refundFee: 1000,
      settlementRefundFee: 1000,
      cashRefundFee: 1000,
    });
    expect(simulated).toMatchObject({ api: 'v3', notifyUrl: fixture.receiver.url });
    expect(await client.refund(input)).toEqual(first);
  });

  it('given refundAccount REFUND_SOURCE_RECHARGE_FUNDS, then funds_account AVAILABLE is sent; without it, none', async () => {
    const client = fixture.client();
    const recharge = request({ refundAccount: 'REFUND_SOURCE_RECHARGE_FUNDS' });
    const plain = request();
    expect((await client.refund(recharge)).kind).toBe('accepted');
    expect((await client.refund(plain)).kind).toBe('accepted');
    const byNo = (no: string) => fixture.sandbox.refunds().find((r) => r.outRefundNo === no)!;
    expect(byNo(recharge.outRefundNo).fundsAccount).toBe('AVAILABLE');
    expect(byNo(plain.outRefundNo).fundsAccount).toBeUndefined();
  });

  it('given [sandbox:NOTENOUGH] drawn from the available funds, then it is accepted at once', async () => {
    const input = {
      ...withScenario('NOTENOUGH'),
      refundAccount: 'REFUND_SOURCE_RECHARGE_FUNDS',
    } as const;
    expect(await fixture.client().refund(input)).toMatchObject({ kind: 'accepted' });
  });

  it('given NOTENOUGH_UNSETTLED (automatic withdrawal), then NOT_ENOUGH from the unsettled funds every time, and accepted from the available funds, reported as AVAILABLE', async () => {
    const client = fixture.client();
    const input = withScenario('NOTENOUGH_UNSETTLED');
    for (let i = 0; i < 2; i++) {
      expect(await client.refund(input)).toMatchObject({ kind: 'rejected', code: 'NOT_ENOUGH' });
    }
    const recharge = { ...input, refundAccount: 'REFUND_SOURCE_RECHARGE_FUNDS' } as const;
    expect((await client.refund(recharge)).kind).toBe('accepted');
    await eventually(async () =>
      expect(await client.queryRefund(input.outRefundNo)).toMatchObject({
        kind: 'found',
        report: { outcome: { status: 'succeeded', refundAccount: 'AVAILABLE' } },
      }),
    );
  });

  it.each([
    ['NOTENOUGH', 'rejected', 'NOT_ENOUGH'],
    ['SYSTEMERROR', 'retryable', 'SYSTEM_ERROR'],
    ['FREQUENCY_LIMITED', 'retryable', 'FREQUENCY_LIMITED'],
  ])(
    'given the %s scenario, then the first send is %s with %s, and a second one is accepted',
    async (scenario, kind, code) => {
      const client = fixture.client();
      const input = withScenario(scenario);
      expect(await client.refund(input)).toMatchObject({ kind, code });
      expect(await client.refund(input)).toMatchObject({ kind: 'accepted' });
    },
  );

  it('given FREQUENCY_LIMITED, when sent again, then the refund is queried first and, WeChat having it, not posted again', async () => {
    const client = fixture.client();
    const input = withScenario('FREQUENCY_LIMITED');
    await client.refund(input);
    const before = fixture.sandbox.requests().length;
    expect(await client.refund(input)).toMatchObject({ kind: 'accepted', refundFee: 1000 });
    expect(fixture.sandbox.requests().slice(before)).toEqual([
      { api: 'v3', method: 'GET', path: `/v3/refund/domestic/refunds/${input.outRefundNo}` },
    ]);
  });

  it('given the same out_refund_no with other amounts, then rejected INVALID_REQUEST; an unknown scenario token, PARAM_ERROR', async () => {
    const client = fixture.client();
    const input = request();
    await client.refund(input);
    expect(await client.refund({ ...input, refundFee: 999 })).toMatchObject({
      kind: 'rejected',
      code: 'INVALID_REQUEST',
    });
    expect(await client.refund(request({ reason: '[sandbox:NOPE]' }))).toMatchObject({
      kind: 'rejected',
      code: 'PARAM_ERROR',
    });
  });

  it("given a private key that is not the merchant certificate's, then misconfigured SIGN_ERROR, and nothing refunded", async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const input = request();
    expect(await fixture.client({ privateKey }).refund(input)).toMatchObject({
      kind: 'misconfigured',
      code: 'SIGN_ERROR',
    });
    expect(await fixture.client({ merchantSerialNo: '0123ABCD' }).refund(input)).toMatchObject({
      kind: 'misconfigured',
      code: 'SIGN_ERROR',
    });
    expect(await fixture.client({ mchId: '1900000001' }).refund(input)).toMatchObject({
      kind: 'misconfigured',
      code: 'MCH_NOT_EXISTS',
    });
    expect(fixture.sandbox.refunds().some((r) => r.outRefundNo === input.outRefundNo)).toBe(false);
  });

  it('given answers whose signature does not verify, then retryable BAD_SIGNATURE, never an answer', async () => {
    const client = fixture.client();
    fixture.sandbox.corruptSigns(true);
    try {
      expect(await client.refund(request())).toMatchObject({
        kind: 'retryable',
        code: 'BAD_SIGNATURE',
      });
    } finally {
      fixture.sandbox.corruptSigns(false);
    }
  });

  it('given the sandbox down, then retryable', async () => {
    const client = fixture.client({
      baseUrl: `https://127.0.0.1:${await closedPort()}`,
      timeoutMs: 2000,
    });
    expect((await client.refund(request())).kind).toBe('retryable');
  });
});

describe('WeChat Pay v3 client: verification keys', () => {
  it('given the public key configured, then answers are signed with it and no certificate is downloaded', async () => {
    const setup = fixture.setUp();
    const client = setup.createClient(fixture.receiver.url);
    try {
      expect((await client.refund(request())).kind).toBe('accepted');
      expect(setup.certificates.serials()).toEqual([]);
    } finally {
      client.close();
    }
  });

  it('given no public key, then the platform certificates are downloaded, decrypted with the APIv3 key, kept on disk, and verify the answers', async () => {
    const credentials = fixture.credentials({ withoutPublicKey: true });
    const client = fixture.client({
      withoutPublicKey: true,
      certificateCacheFile: credentials.certificateCacheFile,
    });
    expect((await client.refund(request())).kind).toBe('accepted');
    expect(existsSync(credentials.certificateCacheFile)).toBe(true);
    const again = fixture.setUp({
      withoutPublicKey: true,
      certificateCacheFile: credentials.certificateCacheFile,
    });
    expect(again.certificates.serials()).toEqual([fixture.sandbox.platformCertificateSerial]);
  });

  it('given a wrong APIv3 key and no public key, then no certificate decrypts and answers are retryable', async () => {
    const client = fixture.client({
      withoutPublicKey: true,
      apiV3Keys: ['0123456789abcdef0123456789abcdef'],
    });
    expect(await client.refund(request())).toMatchObject({
      kind: 'retryable',
      code: 'BAD_SIGNATURE',
    });
  });
});

describe('WeChat Pay v3 client: queries and notifications', () => {
  it('given refunds in each scenario, then the query reports PROCESSING, then SUCCESS, CLOSED or ABNORMAL, and v3 notifications arrive signed with either key', async () => {
    const client = fixture.client();
    const unknown = request();
    expect(await client.queryRefund(unknown.outRefundNo)).toEqual({ kind: 'not_found' });

    const inputs = {
      SUCCESS: request(),
      CLOSED: withScenario('REFUNDCLOSE'),
      ABNORMAL: withScenario('CHANGE'),
    };
    for (const input of Object.values(inputs))
      expect((await client.refund(input)).kind).toBe('accepted');
    const outcomes = {
      SUCCESS: { status: 'succeeded' },
      CLOSED: { status: 'failed', code: 'CLOSED' },
      ABNORMAL: { status: 'failed', code: 'ABNORMAL' },
    };
    for (const [status, input] of Object.entries(inputs)) {
      const outcome = outcomes[status as keyof typeof outcomes];
      await eventually(async () =>
        expect(await client.queryRefund(input.outRefundNo)).toMatchObject({
          kind: 'found',
          report: { outRefundNo: input.outRefundNo, outcome },
        }),
      );
      await eventually(() =>
        expect(
          fixture.receiver
            .received()
            .filter((r) => r.notification.outRefundNo === input.outRefundNo),
        ).toEqual([
          expect.objectContaining({
            notification: expect.objectContaining({ outcome: expect.objectContaining(outcome) }),
          }),
        ]),
      );
    }
    const success = await client.queryRefund(inputs.SUCCESS.outRefundNo);
    expect(success).toMatchObject({
      report: {
        refundFee: 1000,
        order: { outTradeNo: inputs.SUCCESS.outTradeNo, totalFee: 3960 },
        outcome: {
          refundRecvAccount: '支付用户零钱',
          successTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$/),
        },
      },
    });
    expect(fixture.receiver.undecodable()).toEqual([]);
  });
});
