import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.js';
import { gatewayPassed, startTestService, type TestService } from '../support/testService.js';

/** What differs between the two APIs as the refund flow sees it: paths and WeChat's codes. */
const apiVersions = [
  {
    api: 'v2',
    notifyPath: '/wechat/refund-notify',
    codes: { NOTENOUGH: 'NOTENOUGH', REFUNDCLOSE: 'REFUNDCLOSE', CHANGE: 'CHANGE' },
  },
  {
    api: 'v3',
    notifyPath: '/wechat/v3/refund-notify',
    codes: { NOTENOUGH: 'NOT_ENOUGH', REFUNDCLOSE: 'CLOSED', CHANGE: 'ABNORMAL' },
  },
] as const;

/**
 * A refund's whole journey through the real service: HTTP, the SQLite log, the gateway reactor,
 * the WeChat Pay simulator over real TLS, its encrypted notifications, the reconciler — through
 * API v2 (signed XML, mutual TLS) and API v3 (signed JSON, AEAD notifications) alike.
 */
describe.each(apiVersions)('refund flow against the WeChat Pay simulator, API $api', (version) => {
  let s: TestService;
  beforeEach(async () => {
    s = await startTestService({ WECHAT_API_VERSION: version.api });
  });
  afterEach(() => s.stop());

  const request = async (outRefundNo: string, scenario?: string, extra: object = {}) => {
    const response = await s.call('POST', '/v1/refunds', {
      outTradeNo: `T-${outRefundNo}`,
      outRefundNo,
      totalFee: 3960,
      refundFee: 1990,
      ...(scenario && { reason: `测试 [sandbox:${scenario}]` }),
      ...extra,
    });
    expect(response.status).toBe(202);
  };
  const refundOf = async (outRefundNo: string) =>
    (await s.call('GET', `/v1/refunds/${outRefundNo}`)).json();
  const settled = (outRefundNo: string, status: string) =>
    eventually(async () => {
      const refund = await refundOf(outRefundNo);
      expect(refund.status).toBe(status);
      return refund;
    });
  const eventTypes = async (outRefundNo: string) =>
    (await s.events.readStream(`refund-${outRefundNo}`)).map((e) => e.type);

  it('given a refund, when WeChat accepts it and notifies SUCCESS, then it is SUCCEEDED with what WeChat reported', async () => {
    await request('R-happy');

    const refund = await settled('R-happy', 'SUCCEEDED');

    const simulated = s.wechat.sandbox!.refunds().find((r) => r.outRefundNo === 'R-happy')!;
    expect(simulated.api).toBe(version.api);
    expect(refund).toMatchObject({
      refundId: simulated.refundId,
      settlementRefundFee: 1990,
      refundRecvAccount: '支付用户零钱',
      successTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$/),
    });
    expect(await eventTypes('R-happy')).toEqual([
      'RefundRequested',
      'RefundAccepted',
      'RefundSucceeded',
    ]);
    const stored = await s.events.readStream('refund-R-happy');
    expect(stored.map((e) => e.metadata['source'])).toEqual(['api', 'gateway', 'notification']);
    // The request's correlation id travels through the gateway call into its outcome.
    expect(stored[1]!.metadata['correlationId']).toBe(stored[0]!.metadata['correlationId']);
  });

  it('given NOTENOUGH, then FAILED with that code; when retried, it is sent again with the same out_refund_no and amounts and succeeds', async () => {
    await request('R-notenough', 'NOTENOUGH');
    const failed = await settled('R-notenough', 'FAILED');
    expect(failed.failure).toMatchObject({ stage: 'request', code: version.codes.NOTENOUGH });

    const retried = await s.call('POST', '/v1/refunds/R-notenough/retry');
    expect(retried.status).toBe(202);

    await settled('R-notenough', 'SUCCEEDED');
    expect(await eventTypes('R-notenough')).toEqual([
      'RefundRequested',
      'RefundFailed',
      'RefundRequested',
      'RefundAccepted',
      'RefundSucceeded',
    ]);
    // Different amounts would have been REFUND_FEE_MISMATCH at WeChat: the same refund was taken.
    const simulated = s.wechat.sandbox!.refunds().filter((r) => r.outRefundNo === 'R-notenough');
    expect(simulated).toEqual([
      expect.objectContaining({ refundFee: 1990, totalFee: 3960, status: 'SUCCESS' }),
    ]);
  });

  it('given SYSTEMERROR on the first send, then it is retried with identical parameters and succeeds, with no failure recorded', async () => {
    await request('R-syserr', 'SYSTEMERROR');

    await settled('R-syserr', 'SUCCEEDED');
    expect(await eventTypes('R-syserr')).toEqual([
      'RefundRequested',
      'RefundAccepted',
      'RefundSucceeded',
    ]);
  });

  it.each(['REFUNDCLOSE', 'CHANGE'] as const)(
    'given %s at settlement, then FAILED with that code',
    async (scenario) => {
      await request(`R-${scenario}`, scenario);

      const refund = await settled(`R-${scenario}`, 'FAILED');
      expect(refund.failure).toMatchObject({
        stage: 'settlement',
        code: version.codes[scenario],
      });
      expect(await eventTypes(`R-${scenario}`)).toEqual([
        'RefundRequested',
        'RefundAccepted',
        'RefundFailed',
      ]);
    },
  );

  it('given an abnormal refund, when the merchant resolves it and WeChat notifies SUCCESS, then SUCCEEDED: a later SUCCESS wins', async () => {
    await request('R-abnormal', 'CHANGE');
    const failed = await settled('R-abnormal', 'FAILED');
    expect(failed.failure).toMatchObject({ stage: 'settlement', code: version.codes.CHANGE });

    expect(await s.wechat.sandbox!.resolveAbnormal('R-abnormal')).toMatchObject({
      status: 'SUCCESS',
    });

    await settled('R-abnormal', 'SUCCEEDED');
    expect(await eventTypes('R-abnormal')).toEqual([
      'RefundRequested',
      'RefundAccepted',
      'RefundFailed',
      'RefundSucceeded',
    ]);
  });

  it('given the notification arrives before the synchronous answer, then SUCCEEDED and no RefundFailed', async () => {
    await request('R-first', 'NOTIFY_FIRST');

    await settled('R-first', 'SUCCEEDED');
    // The gateway's checkpoint passes the request only once the late answer is handled.
    const [requested] = await s.events.readStream('refund-R-first');
    await gatewayPassed(s, requested!.position);
    // The late acceptance changed nothing.
    expect(await eventTypes('R-first')).toEqual(['RefundRequested', 'RefundSucceeded']);
    expect(s.wechat.sandbox!.refunds()).toHaveLength(1);
  });

  it('given a lost notification, then the reconciler settles it through refundquery', async () => {
    await request('R-lost', 'LOST_NOTIFICATION');

    await eventually(async () => expect((await refundOf('R-lost')).status).toBe('SUCCEEDED'), {
      timeoutMs: 60_000,
    });
    const stored = await s.events.readStream('refund-R-lost');
    expect(stored.map((e) => [e.type, e.metadata['source']])).toEqual([
      ['RefundRequested', 'api'],
      ['RefundAccepted', 'gateway'],
      ['RefundSucceeded', 'reconciler'],
    ]);
    expect(s.wechat.sandbox!.deliveries().filter((d) => d.outRefundNo === 'R-lost')).toEqual([]);
  });

  it('given duplicate notifications, sequential and concurrent, then one RefundSucceeded', async () => {
    await request('R-dup', 'DUPLICATE_NOTIFICATIONS');

    await settled('R-dup', 'SUCCEEDED');
    await eventually(() =>
      expect(
        s.wechat.sandbox!.deliveries().filter((d) => d.outRefundNo === 'R-dup' && d.acknowledged)
          .length,
      ).toBeGreaterThanOrEqual(5),
    );
    expect(await eventTypes('R-dup')).toEqual([
      'RefundRequested',
      'RefundAccepted',
      'RefundSucceeded',
    ]);
  });

  it('given a refund made by hand on the merchant platform, when WeChat notifies it, then it is recorded with origin wechat and never sent', async () => {
    await s.wechat.sandbox!.simulateMerchantPlatformRefund({
      outTradeNo: 'T-vendor',
      totalFee: 5000,
      refundFee: 1200,
      notifyUrl: `${s.url}${version.notifyPath}`,
      api: version.api,
    });

    const vendorRefund = () =>
      s.wechat.sandbox!.refunds().find((r) => r.source === 'VENDOR_PLATFORM')!;
    const refund = await settled(vendorRefund().outRefundNo, 'SUCCEEDED');
    expect(refund).toMatchObject({
      origin: 'wechat',
      outTradeNo: 'T-vendor',
      totalFee: 5000,
      refundFee: 1200,
    });
    expect(await eventTypes(vendorRefund().outRefundNo)).toEqual([
      'RefundRequested',
      'RefundSucceeded',
    ]);
    expect(s.wechat.sandbox!.refunds()).toHaveLength(1);
    // The order ledger is a read model of its own: it may still be behind the refund's view.
    await s.projected();
    const order = await (await s.call('GET', '/v1/orders/T-vendor/refunds')).json();
    expect(order).toMatchObject({ refundedFee: 1200, pendingFee: 0 });
  });
});
