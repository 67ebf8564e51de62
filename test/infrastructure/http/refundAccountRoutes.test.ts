import { afterEach, describe, expect, it } from 'vitest';
import { failRefund } from '../../domain/refund/refundFixtures.js';
import { createTestApp, type TestApp } from '../../support/fixtures.js';

const json = { 'content-type': 'application/json' };
const gateway = { correlationId: 'c', causationId: 'c', source: 'gateway' } as const;
const recharge = 'REFUND_SOURCE_RECHARGE_FUNDS';
const unsettled = 'REFUND_SOURCE_UNSETTLED_FUNDS';
const refund = { outTradeNo: 'T1', outRefundNo: 'R1', totalFee: 3960, refundFee: 1990 };

/** DESIGN §5: refundAccount on POST /v1/refunds and on /retry, WECHAT_REFUND_ACCOUNT its default. */
describe('the funds account of a refund', () => {
  let t: TestApp;
  const start = async (env: NodeJS.ProcessEnv = {}) => {
    t = await createTestApp({ env });
  };
  afterEach(() => t.close());

  const post = (body: unknown, url = '/v1/refunds') =>
    t.app.inject({ method: 'POST', url, headers: json, payload: JSON.stringify(body) });
  const requested = async (outRefundNo: string) =>
    (await t.events.readStream(`refund-${outRefundNo}`))
      .filter((event) => event.type === 'RefundRequested')
      .map((event) => event.data['refundAccount'] ?? null);
  const failNotEnough = () => t.handle(failRefund('request', 'NOTENOUGH'), gateway);

  it('given a refund naming the recharge funds, then the resource and RefundRequested carry them; repeated alike, 200; with other funds or none, 409 REFUND_NO_CONFLICT', async () => {
    await start();
    const created = await post({ ...refund, refundAccount: recharge });
    expect(created.statusCode).toBe(202);
    expect(created.json()).toMatchObject({ refundAccount: recharge });
    expect(await requested('R1')).toEqual([recharge]);

    expect((await post({ ...refund, refundAccount: recharge })).statusCode).toBe(200);
    for (const other of [{ ...refund, refundAccount: unsettled }, refund]) {
      const conflict = await post(other);
      expect([conflict.statusCode, conflict.json().code]).toEqual([409, 'REFUND_NO_CONFLICT']);
    }
  });

  it('given an unknown funds account, then 400 naming refundAccount, on the request and on a retry, and nothing is written', async () => {
    await start();
    const bad = await post({ ...refund, refundAccount: 'REFUND_SOURCE_BASIC_FUNDS' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors).toEqual([expect.objectContaining({ field: 'refundAccount' })]);
    expect(await t.events.readStream('refund-R1')).toEqual([]);

    await post(refund);
    await failNotEnough();
    const badRetry = await post({ refundAccount: 'AVAILABLE' }, '/v1/refunds/R1/retry');
    expect(badRetry.statusCode).toBe(400);
    expect(badRetry.json().errors).toEqual([expect.objectContaining({ field: 'refundAccount' })]);
    expect(await requested('R1')).toEqual([null]);
  });

  it('given NOTENOUGH, when retried from the recharge funds, then that attempt names them, the resource shows them, and the first request still repeats as identical', async () => {
    await start();
    await post(refund);
    await failNotEnough();

    const retried = await post({ refundAccount: recharge }, '/v1/refunds/R1/retry');

    expect(retried.statusCode).toBe(202);
    expect(retried.json()).toMatchObject({
      status: 'REQUESTED',
      attempt: 2,
      refundAccount: recharge,
    });
    expect(await requested('R1')).toEqual([null, recharge]);
    const repeat = await post(refund);
    expect(repeat.statusCode).toBe(200);
    expect(repeat.json()).toMatchObject({ attempt: 2, refundAccount: recharge });
  });

  it('given WECHAT_REFUND_ACCOUNT, then a refund naming none takes it (and a repeat naming it is identical); one naming its own keeps that', async () => {
    await start({ WECHAT_REFUND_ACCOUNT: recharge });

    const defaulted = await post(refund);
    expect(defaulted.json()).toMatchObject({ refundAccount: recharge });
    expect((await post({ ...refund, refundAccount: recharge })).statusCode).toBe(200);
    const own = await post({
      ...refund,
      outTradeNo: 'T2',
      outRefundNo: 'R2',
      refundAccount: unsettled,
    });
    expect(own.json()).toMatchObject({ refundAccount: unsettled });
    expect(await requested('R2')).toEqual([unsettled]);
  });

  it('given no WECHAT_REFUND_ACCOUNT, then a refund naming none names none (WeChat’s default)', async () => {
    await start();
    const created = await post(refund);
    expect(created.json()).not.toHaveProperty('refundAccount');
    expect(await requested('R1')).toEqual([null]);
  });
});
