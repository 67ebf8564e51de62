import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { RecordedEvent } from '../../src/application/ports/eventStore.js';
import { eventually } from '../support/eventually.js';
import { makeTempDir } from '../support/fixtures.js';
import {
  readOnlyStoresOf,
  reactorPassed,
  startTestService,
  type TestService,
} from '../support/testService.js';

const recharge = 'REFUND_SOURCE_RECHARGE_FUNDS';

/** A request, then two retries by the policy (NOTENOUGH_RETRY_SECONDS of two delays), each failed. */
const failedThrice = [
  'RefundRequested:api',
  'RefundFailed:gateway',
  'RefundRequested:policy',
  'RefundFailed:gateway',
  'RefundRequested:policy',
  'RefundFailed:gateway',
];

/** An event field holding an ISO 8601 time, in epoch ms. */
const timeOf = (value: unknown): number => Date.parse(z.string().parse(value));

/** What differs between the APIs here: WeChat's code, and how it records the recharge funds. */
const apiVersions = [
  { api: 'v2', notEnough: 'NOTENOUGH', rechargeAtWechat: 'REFUND_SOURCE_RECHARGE_FUNDS' },
  { api: 'v3', notEnough: 'NOT_ENOUGH', rechargeAtWechat: 'AVAILABLE' },
] as const;

/**
 * The seed's central pitfall: with automatic withdrawal on, the unsettled balance is empty and
 * refunds fail NOTENOUGH. The three ways out (README "When WeChat says NOTENOUGH") through the
 * real service and the simulator: top up and retry, the recharge funds, the automatic policy.
 */
const harness = () => {
  let s: TestService | undefined;
  const start = async (env: NodeJS.ProcessEnv = {}) => {
    s = await startTestService(env);
    return s;
  };
  const service = () => {
    if (!s) throw new Error('no service started');
    return s;
  };
  const stop = async () => {
    await s?.stop();
    s = undefined;
  };
  const request = async (outRefundNo: string, scenario: string, extra: object = {}) => {
    const response = await service().call('POST', '/v1/refunds', {
      outTradeNo: `T-${outRefundNo}`,
      outRefundNo,
      totalFee: 3960,
      refundFee: 1990,
      reason: `库存 [sandbox:${scenario}]`,
      ...extra,
    });
    expect(response.status).toBe(202);
    return response.json();
  };
  const stream = (outRefundNo: string): Promise<RecordedEvent[]> =>
    service().events.readStream(`refund-${outRefundNo}`);
  const reaches = (outRefundNo: string, status: string, timeoutMs?: number) =>
    eventually(
      async () => {
        const refund = await (await service().call('GET', `/v1/refunds/${outRefundNo}`)).json();
        expect(refund.status).toBe(status);
        return refund;
      },
      { ...(timeoutMs !== undefined && { timeoutMs }) },
    );
  const sources = async (outRefundNo: string) =>
    (await stream(outRefundNo)).map(
      (event) => `${event.type}:${z.string().parse(event.metadata['source'])}`,
    );
  return { start, service, stop, request, stream, reaches, sources };
};

describe.each(apiVersions)('when WeChat says NOTENOUGH, API $api', (version) => {
  const h = harness();
  afterEach(() => h.stop());

  it('given automatic withdrawal (the unsettled balance stays empty), when retried from the recharge funds, then SUCCEEDED, WeChat having been asked for those funds for that attempt', async () => {
    await h.start({ WECHAT_API_VERSION: version.api });
    await h.request('R-funds', 'NOTENOUGH_UNSETTLED');
    const failed = await h.reaches('R-funds', 'FAILED');
    expect(failed.failure).toMatchObject({ stage: 'request', code: version.notEnough });

    const retried = await h.service().call('POST', '/v1/refunds/R-funds/retry', {
      refundAccount: recharge,
    });
    expect(retried.status).toBe(202);

    const succeeded = await h.reaches('R-funds', 'SUCCEEDED');
    expect(succeeded).toMatchObject({ attempt: 2, refundAccount: recharge });
    const atWechat = h
      .service()
      .wechat.sandbox!.refunds()
      .filter((r) => r.outRefundNo === 'R-funds');
    expect(atWechat).toEqual([
      expect.objectContaining({ fundsAccount: version.rechargeAtWechat, status: 'SUCCESS' }),
    ]);
    const requested = (await h.stream('R-funds')).filter((e) => e.type === 'RefundRequested');
    expect(requested.map((e) => e.data['refundAccount'] ?? null)).toEqual([null, recharge]);
  });

  it('given WECHAT_REFUND_ACCOUNT=REFUND_SOURCE_RECHARGE_FUNDS, then the same refund succeeds at its first request', async () => {
    await h.start({ WECHAT_API_VERSION: version.api, WECHAT_REFUND_ACCOUNT: recharge });
    await h.request('R-default', 'NOTENOUGH_UNSETTLED');

    expect(await h.reaches('R-default', 'SUCCEEDED')).toMatchObject({
      attempt: 1,
      refundAccount: recharge,
    });
  });

  it('given NOTENOUGH_RETRY_SECONDS, when the balance stays empty, then the service retries on the schedule with source policy, each after its delay, and then leaves the refund FAILED', async () => {
    const s = await h.start({
      WECHAT_API_VERSION: version.api,
      NOTENOUGH_RETRY_SECONDS: '0.3,0.6',
    });
    await h.request('R-policy', 'NOTENOUGH_UNSETTLED');

    await eventually(async () => expect(await h.stream('R-policy')).toHaveLength(6));
    const events = await h.stream('R-policy');
    expect(await h.sources('R-policy')).toEqual(failedThrice);
    // Each retry is caused by the failure it answers, after that failure's delay.
    for (const [index, delayMs] of [
      [2, 300],
      [4, 600],
    ] as const) {
      const failure = events[index - 1]!;
      const retry = events[index]!;
      expect(retry.metadata['causationId']).toBe(failure.id);
      expect(retry.data['attempt']).toBe(index / 2 + 1);
      const waited = timeOf(retry.data['requestedAt']) - timeOf(failure.data['failedAt']);
      expect(waited).toBeGreaterThanOrEqual(delayMs);
    }
    // The policy is done with the last failure: nothing more comes, the refund stays FAILED.
    await reactorPassed(s, 'notenough_policy', events[5]!.position);
    expect(await h.stream('R-policy')).toHaveLength(6);
    expect((await h.reaches('R-policy', 'FAILED')).failure.code).toBe(version.notEnough);
  });
});

describe('the automatic NOTENOUGH policy', () => {
  const h = harness();
  afterEach(() => h.stop());

  it('given a merchant who tops up after the failure, then the first policy retry succeeds', async () => {
    await h.start({ NOTENOUGH_RETRY_SECONDS: '0.2,0.2' });
    await h.request('R-topup', 'NOTENOUGH');

    await h.reaches('R-topup', 'SUCCEEDED');
    expect(await h.sources('R-topup')).toEqual([
      'RefundRequested:api',
      'RefundFailed:gateway',
      'RefundRequested:policy',
      'RefundAccepted:gateway',
      'RefundSucceeded:notification',
    ]);
  });

  it('given a manual retry before the policy’s is due, then the manual one takes over and the policy adds nothing', async () => {
    const s = await h.start({ NOTENOUGH_RETRY_SECONDS: '1.5' });
    await h.request('R-manual', 'NOTENOUGH_UNSETTLED');
    await h.reaches('R-manual', 'FAILED');
    const failure = (await h.stream('R-manual')).at(-1)!;

    const retried = await s.call('POST', '/v1/refunds/R-manual/retry', { refundAccount: recharge });
    expect(retried.status).toBe(202);
    await h.reaches('R-manual', 'SUCCEEDED');

    // Past the failure's due time, the policy has looked at it and found it answered.
    await reactorPassed(s, 'notenough_policy', failure.position);
    expect(await h.sources('R-manual')).toEqual([
      'RefundRequested:api',
      'RefundFailed:gateway',
      'RefundRequested:api',
      'RefundAccepted:gateway',
      'RefundSucceeded:notification',
    ]);
  });

  it('given a restart while a policy retry waits, then it is made after the restart, on time, and none is made twice', async () => {
    const data = makeTempDir();
    try {
      const env = { DATA_DIR: data.dir, NOTENOUGH_RETRY_SECONDS: '4,0.3' };
      await h.start(env);
      await h.request('R-restart', 'NOTENOUGH_UNSETTLED');
      await h.reaches('R-restart', 'FAILED');
      await h.stop();
      const beside = readOnlyStoresOf({ dataDir: data.dir });
      const before = await beside.events.readStream('refund-R-restart').finally(beside.close);
      // Stopped before the first retry was due: the restarted service owes it.
      expect(before.map((e) => e.type)).toEqual(['RefundRequested', 'RefundFailed']);

      const s = await h.start(env);
      await eventually(async () => expect(await h.stream('R-restart')).toHaveLength(6), {
        timeoutMs: 60_000,
      });
      const events = await h.stream('R-restart');
      await reactorPassed(s, 'notenough_policy', events[5]!.position);
      expect(await h.sources('R-restart')).toEqual(failedThrice);
      const firstRetry = timeOf(events[2]!.data['requestedAt']);
      expect(firstRetry - timeOf(events[1]!.data['failedAt'])).toBeGreaterThanOrEqual(4000);
    } finally {
      await h.stop();
      data.remove();
    }
  });
});
