import https from 'node:https';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { GatewayRefundRequest } from '../../src/application/ports/refundGateway.js';
import { startWechatSandbox } from '../../src/sandbox/wechatSandbox.js';
import { createWechatPayClient } from '../../src/infrastructure/wechat/wechatPayClient.js';
import type { SandboxScenario } from '../../src/sandbox/sandboxScenario.js';
import { eventually } from '../support/eventually.js';
import { makeTempDir } from '../support/fixtures.js';
import { createRefundNotificationDecoder } from '../../src/infrastructure/wechat/refundNotificationDecoder.js';
import { RefundNotificationError } from '../../src/infrastructure/wechat/refundNotificationError.js';
import { startNotifyReceiver } from '../infrastructure/wechat/support/notifyReceiver.js';
import { startSandboxFixture, type SandboxFixture } from './support/sandboxFixture.js';

const temp = makeTempDir('wechat-sandbox-');
const certDir = path.join(temp.dir, 'certs');
let fixture: SandboxFixture;
let counter = 0;
const unique = (): string => `${Date.now()}${++counter}`;
const request = (overrides: Partial<GatewayRefundRequest> = {}): GatewayRefundRequest => {
  const id = unique();
  return {
    outRefundNo: `R${id}`,
    outTradeNo: `T${id}`,
    totalFee: 3960,
    refundFee: 1000,
    ...overrides,
  };
};

beforeAll(async () => {
  fixture = await startSandboxFixture(certDir);
});
afterAll(async () => {
  await fixture.close();
  temp.remove();
});

const notificationsOf = (outRefundNo: string) =>
  fixture.receiver
    .received()
    .filter((received) => received.notification.outRefundNo === outRefundNo);

/** Calls the sandbox's control endpoints (as a user of another SDK would with curl). */
const callControl = (
  method: 'GET' | 'POST',
  path: string,
  body?: string,
): Promise<{ status: number; body: string }> =>
  new Promise((resolve, reject) => {
    const call = https.request(
      `${fixture.sandbox.baseUrl}${path}`,
      {
        method,
        ca: fixture.sandbox.caPem,
        headers: { 'content-type': 'application/json' },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString() }),
        );
      },
    );
    call.on('error', reject);
    call.end(body);
  });
const postControl = (body: string) => callControl('POST', '/sandbox/scenarios', body);

describe('WeChat sandbox: refund rules', () => {
  it('given a refund, when the same out_refund_no comes again with the same amounts, then the same refund_id', async () => {
    const client = fixture.client();
    const input = request();
    const first = await client.refund(input);
    const again = await client.refund(input);
    expect(first.kind).toBe('accepted');
    expect(again).toEqual(first);
    expect(
      fixture.sandbox.refunds().filter((r) => r.outRefundNo === input.outRefundNo),
    ).toHaveLength(1);
  });

  it('given a refund, when the same out_refund_no comes with other amounts, then REFUND_FEE_MISMATCH', async () => {
    const client = fixture.client();
    const input = request();
    await client.refund(input);
    expect(await client.refund({ ...input, refundFee: 999 })).toMatchObject({
      kind: 'rejected',
      code: 'REFUND_FEE_MISMATCH',
    });
  });

  it("given an order's first refund, when a later refund states another total_fee, then PARAM_ERROR", async () => {
    const client = fixture.client();
    const first = request();
    await client.refund(first);
    const second = { ...request(), outTradeNo: first.outTradeNo, totalFee: 5000 };
    expect(await client.refund(second)).toMatchObject({ kind: 'rejected', code: 'PARAM_ERROR' });
  });

  it('given partial refunds, when one would exceed the order total, then INVALID_REQUEST', async () => {
    const client = fixture.client();
    const first = request({ refundFee: 3000 });
    expect((await client.refund(first)).kind).toBe('accepted');
    const second = { ...request({ refundFee: 961 }), outTradeNo: first.outTradeNo };
    expect(await client.refund(second)).toMatchObject({
      kind: 'rejected',
      code: 'INVALID_REQUEST',
    });
    const fits = { ...request({ refundFee: 960 }), outTradeNo: first.outTradeNo };
    expect((await client.refund(fits)).kind).toBe('accepted');
  });
});

describe('WeChat sandbox: settlement and refundquery', () => {
  it('given an accepted refund, when settled, then refundquery goes PROCESSING → SUCCESS and a notification arrives', async () => {
    // A sandbox of its own that settles only much later, to see PROCESSING deterministically.
    const slow = await startWechatSandbox({ certDir, notificationDelayMs: 60_000 });
    try {
      const client = createWechatPayClient({
        ...slow,
        signType: 'MD5',
        notifyUrl: fixture.receiver.url,
        certificate: slow.clientCertificate,
        maxRequestsPerSecond: 0,
        logger: pino({ level: 'silent' }),
      });
      const input = request();
      await client.refund(input);
      expect(await client.queryRefund(input.outRefundNo)).toMatchObject({
        report: { outcome: { status: 'processing' } },
      });
      client.close();
    } finally {
      await slow.close();
    }
    const client = fixture.client();
    const input = request();
    await client.refund(input);
    await eventually(() => expect(notificationsOf(input.outRefundNo)).toHaveLength(1));
    const found = await client.queryRefund(input.outRefundNo);
    expect(found).toMatchObject({
      kind: 'found',
      report: {
        refundFee: 1000,
        outcome: {
          status: 'succeeded',
          successTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$/),
        },
      },
    });
    if (found.kind !== 'found') return;
    expect(notificationsOf(input.outRefundNo)[0]!.notification).toMatchObject({
      refundStatus: 'SUCCESS',
      refundId: found.report.refundId,
      refundRequestSource: 'API',
    });
  });

  it('given an unknown out_refund_no, when queried, then not_found (REFUNDNOTEXIST)', async () => {
    expect(await fixture.client().queryRefund(`R${unique()}`)).toEqual({ kind: 'not_found' });
  });
});

describe('WeChat sandbox: scenarios', () => {
  it.each([
    ['NOTENOUGH', 'rejected'],
    ['SYSTEMERROR', 'retryable'],
  ] as const)(
    'given %s, when the refund is requested twice, then the first fails and the retry is accepted',
    async (scenario, firstKind) => {
      const client = fixture.client();
      const input = request();
      fixture.sandbox.setScenario(input.outRefundNo, scenario);
      expect(await client.refund(input)).toMatchObject({ kind: firstKind, code: scenario });
      expect((await client.refund(input)).kind).toBe('accepted');
      await eventually(() => expect(notificationsOf(input.outRefundNo)).toHaveLength(1));
    },
  );

  it.each(['REFUNDCLOSE', 'CHANGE'] as const)(
    'given %s, when accepted, then the notification and refundquery report that status',
    async (scenario) => {
      const client = fixture.client();
      const input = request();
      fixture.sandbox.setScenario(input.outRefundNo, scenario);
      expect((await client.refund(input)).kind).toBe('accepted');
      await eventually(() => expect(notificationsOf(input.outRefundNo)).toHaveLength(1));
      const { notification } = notificationsOf(input.outRefundNo)[0]!;
      expect(notification.refundStatus).toBe(scenario);
      expect(notification).not.toHaveProperty('successTime');
      expect(await client.queryRefund(input.outRefundNo)).toMatchObject({
        report: { outcome: { status: 'failed', code: scenario } },
      });
    },
  );

  it('given NOTIFY_FIRST, when the refund call returns, then the notification was already acknowledged', async () => {
    const input = request();
    fixture.sandbox.setScenario(input.outRefundNo, 'NOTIFY_FIRST');
    const outcome = await fixture.client().refund(input);
    expect(outcome.kind).toBe('accepted');
    // No waiting: it arrived before the synchronous answer.
    expect(notificationsOf(input.outRefundNo)).toHaveLength(1);
  });

  it('given LOST_NOTIFICATION, when settled, then refundquery says SUCCESS and nothing was sent', async () => {
    const client = fixture.client();
    const input = request();
    fixture.sandbox.setScenario(input.outRefundNo, 'LOST_NOTIFICATION');
    await client.refund(input);
    await eventually(async () =>
      expect(await client.queryRefund(input.outRefundNo)).toMatchObject({
        report: { outcome: { status: 'succeeded' } },
      }),
    );
    expect(fixture.sandbox.deliveries().filter((d) => d.outRefundNo === input.outRefundNo)).toEqual(
      [],
    );
  });

  it('given DUPLICATE_NOTIFICATIONS, when settled, then the same notification arrives five times', async () => {
    const input = request();
    fixture.sandbox.setScenario(input.outRefundNo, 'DUPLICATE_NOTIFICATIONS');
    await fixture.client().refund(input);
    await eventually(() => expect(notificationsOf(input.outRefundNo)).toHaveLength(5));
    const refundIds = new Set(
      notificationsOf(input.outRefundNo).map((r) => r.notification.refundId),
    );
    expect(refundIds.size).toBe(1);
  });

  it('given a [sandbox:NOTENOUGH] token in the reason, when refunding, then that scenario plays', async () => {
    const input = request({ reason: '顾客退货 [sandbox:NOTENOUGH]' });
    const client = fixture.client();
    expect(await client.refund(input)).toMatchObject({ kind: 'rejected', code: 'NOTENOUGH' });
    expect((await client.refund(input)).kind).toBe('accepted');
  });

  it('given [sandbox:NOTENOUGH] drawn from the recharge funds, when refunding, then it is accepted at once and the notification names those funds', async () => {
    const input = request({
      reason: '[sandbox:NOTENOUGH]',
      refundAccount: 'REFUND_SOURCE_RECHARGE_FUNDS',
    });
    expect((await fixture.client().refund(input)).kind).toBe('accepted');
    await eventually(() => expect(notificationsOf(input.outRefundNo)).toHaveLength(1));
    expect(notificationsOf(input.outRefundNo)[0]!.notification).toMatchObject({
      refundStatus: 'SUCCESS',
      refundAccount: 'REFUND_SOURCE_RECHARGE_FUNDS',
    });
  });

  it('given NOTENOUGH_UNSETTLED (automatic withdrawal), when requested again from the unsettled funds, then NOTENOUGH every time; from the recharge funds, accepted', async () => {
    const client = fixture.client();
    const input = request({ reason: '[sandbox:NOTENOUGH_UNSETTLED]' });
    const unsettled = { ...input, refundAccount: 'REFUND_SOURCE_UNSETTLED_FUNDS' } as const;
    for (const sent of [input, unsettled, input]) {
      expect(await client.refund(sent)).toMatchObject({ kind: 'rejected', code: 'NOTENOUGH' });
    }
    const recharge = { ...input, refundAccount: 'REFUND_SOURCE_RECHARGE_FUNDS' } as const;
    expect((await client.refund(recharge)).kind).toBe('accepted');
    await eventually(() => expect(notificationsOf(input.outRefundNo)).toHaveLength(1));
  });

  it('given several requests for one out_refund_no, refused ones included, then the ledger counts each call, also in GET /sandbox/refunds', async () => {
    const input = request({ reason: '[sandbox:NOTENOUGH]' });
    const other = request();
    const client = fixture.client();
    for (const sent of [input, input, input, other]) await client.refund(sent);

    const listed = z
      .array(z.object({ outRefundNo: z.string(), calls: z.number() }))
      .parse(JSON.parse((await callControl('GET', '/sandbox/refunds')).body));
    const callsOf = (outRefundNo: string) =>
      listed.find((refund) => refund.outRefundNo === outRefundNo)?.calls;
    expect([callsOf(input.outRefundNo), callsOf(other.outRefundNo)]).toEqual([3, 1]);
    expect(
      fixture.sandbox.refunds().find((refund) => refund.outRefundNo === input.outRefundNo),
    ).toMatchObject({ calls: 3, status: expect.any(String) });
  });

  it('given a token naming no scenario, when refunding, then PARAM_ERROR', async () => {
    const outcome = await fixture.client().refund(request({ reason: '[sandbox:NOPE]' }));
    expect(outcome).toMatchObject({ kind: 'rejected', code: 'PARAM_ERROR' });
  });

  it('given a scenario set through the control endpoint, when refunding, then it plays', async () => {
    const input = request();
    const scenario: SandboxScenario = 'REFUNDCLOSE';
    const set = await postControl(JSON.stringify({ outRefundNo: input.outRefundNo, scenario }));
    expect(set.status).toBe(200);
    await fixture.client().refund(input);
    await eventually(() =>
      expect(notificationsOf(input.outRefundNo)[0]?.notification.refundStatus).toBe('REFUNDCLOSE'),
    );
  });

  it.each(['not json', JSON.stringify({ outRefundNo: 'R1', scenario: 'MAYBE' })])(
    'given the invalid control body %j, when posted, then 400',
    async (body) => {
      expect((await postControl(body)).status).toBe(400);
    },
  );
});

describe('WeChat sandbox: notification delivery', () => {
  it('given a notify_url that answers FAIL twice, when settled, then WeChat retries until SUCCESS', async () => {
    const input = request();
    fixture.receiver.failNext(2);
    await fixture.client().refund(input);
    await eventually(() => expect(notificationsOf(input.outRefundNo)).toHaveLength(1));
    // The sandbox records a delivery once it has read the reply, just after the receiver saw it.
    await eventually(() =>
      expect(
        fixture.sandbox
          .deliveries()
          .filter((d) => d.outRefundNo === input.outRefundNo)
          .map((d) => ({ attempt: d.attempt, acknowledged: d.acknowledged })),
      ).toEqual([
        { attempt: 1, acknowledged: false },
        { attempt: 2, acknowledged: false },
        { attempt: 3, acknowledged: true },
      ]),
    );
  });

  it('given a refund made on the merchant platform, when simulated, then a VENDOR_PLATFORM SUCCESS notification arrives', async () => {
    const id = unique();
    const refund = await fixture.sandbox.simulateMerchantPlatformRefund({
      outTradeNo: `T${id}`,
      transactionId: `42000002152018111902${id.slice(-8).padStart(8, '0')}`,
      totalFee: 3960,
      refundFee: 3960,
      notifyUrl: fixture.receiver.url,
    });
    await eventually(() => expect(notificationsOf(refund.outRefundNo)).toHaveLength(1));
    expect(notificationsOf(refund.outRefundNo)[0]!.notification).toMatchObject({
      outTradeNo: `T${id}`,
      refundFee: 3960,
      refundStatus: 'SUCCESS',
      refundRequestSource: 'VENDOR_PLATFORM',
    });
  });

  it.each([
    ['another API key', { apiKey: 'ffffffffffffffffffffffffffffffff' }, 'NOTIFY_DECRYPT_FAILED'],
    ['another mch_id', { mchId: '1900000109' }, 'NOTIFY_MERCHANT_MISMATCH'],
  ])(
    'given a notify endpoint configured with %s, when the sandbox notifies, then it is refused with a typed error and retried',
    async (_, merchant, code) => {
      const { sandbox } = fixture;
      const receiver = await startNotifyReceiver(
        createRefundNotificationDecoder({ ...sandbox, ...merchant }),
      );
      try {
        const id = unique();
        const refund = await sandbox.simulateMerchantPlatformRefund({
          outTradeNo: `T${id}`,
          totalFee: 100,
          refundFee: 100,
          notifyUrl: receiver.url,
        });
        await eventually(() => expect(receiver.undecodable().length).toBeGreaterThanOrEqual(2));
        for (const error of receiver.undecodable()) {
          expect(error).toBeInstanceOf(RefundNotificationError);
          expect(error).toMatchObject({ code });
        }
        expect(
          sandbox.deliveries().filter((d) => d.outRefundNo === refund.outRefundNo)[0],
        ).toMatchObject({ attempt: 1, acknowledged: false });
      } finally {
        await receiver.close();
      }
    },
  );
});
