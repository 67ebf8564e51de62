import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../support/testApp.js';

const json = { 'content-type': 'application/json' };
const gateway = { correlationId: 'c', causationId: 'c', source: 'gateway' } as const;

describe('orders and the ledger checks', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await createTestApp();
  });
  afterEach(() => t.close());

  const post = (body: object) =>
    t.app.inject({
      method: 'POST',
      url: '/v1/refunds',
      headers: json,
      payload: JSON.stringify(body),
    });
  const order = (outTradeNo: string) =>
    t.app.inject({ method: 'GET', url: `/v1/orders/${outTradeNo}/refunds` });
  const fail = (outRefundNo: string) =>
    t.handle(
      {
        type: 'FailRefund',
        data: {
          outRefundNo,
          stage: 'request',
          code: 'NOTENOUGH',
          message: '余额不足',
          failedAt: new Date().toISOString(),
        },
      },
      gateway,
    );

  it('given an order with no refunds, then a 404 problem', async () => {
    const response = await order('T404');

    expect(response.statusCode).toBe(404);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.json()).toMatchObject({ code: 'ORDER_NOT_FOUND' });
  });

  it('given refunds of an order, then its totals and its refunds in the order they were requested', async () => {
    await post({ outTradeNo: 'T1', outRefundNo: 'R-b', totalFee: 10_000, refundFee: 3000 });
    await post({ outTradeNo: 'T1', outRefundNo: 'R-a', totalFee: 10_000, refundFee: 2000 });
    await post({ outTradeNo: 'T2', outRefundNo: 'R-c', totalFee: 500 });
    await fail('R-a');
    await t.projected();

    const response = await order('T1');

    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      outTradeNo: 'T1',
      totalFee: 10_000,
      refundedFee: 0,
      pendingFee: 3000,
      refunds: [
        { outRefundNo: 'R-b', status: 'REQUESTED', refundFee: 3000 },
        { outRefundNo: 'R-a', status: 'FAILED', refundFee: 2000, failure: { code: 'NOTENOUGH' } },
      ],
    });
  });

  it('given an order refunded before, when a refund states another totalFee, then 422 TOTAL_FEE_MISMATCH and nothing is written', async () => {
    await post({ outTradeNo: 'T1', outRefundNo: 'R1', totalFee: 10_000, refundFee: 1000 });
    await t.projected();

    const response = await post({
      outTradeNo: 'T1',
      outRefundNo: 'R2',
      totalFee: 9_999,
      refundFee: 1000,
    });

    expect(response.statusCode).toBe(422);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.json()).toMatchObject({ status: 422, code: 'TOTAL_FEE_MISMATCH' });
    expect(await t.events.readStream('refund-R2')).toEqual([]);
  });

  it('given refunds pending on an order, when one more would pass its total, then 422 REFUND_EXCEEDS_ORDER', async () => {
    await post({ outTradeNo: 'T1', outRefundNo: 'R1', totalFee: 10_000, refundFee: 6000 });
    await post({ outTradeNo: 'T1', outRefundNo: 'R2', totalFee: 10_000, refundFee: 3000 });
    await t.projected();

    const over = await post({
      outTradeNo: 'T1',
      outRefundNo: 'R3',
      totalFee: 10_000,
      refundFee: 1001,
    });
    const exact = await post({
      outTradeNo: 'T1',
      outRefundNo: 'R4',
      totalFee: 10_000,
      refundFee: 1000,
    });

    expect(over.statusCode).toBe(422);
    expect(over.json()).toMatchObject({ code: 'REFUND_EXCEEDS_ORDER' });
    expect(await t.events.readStream('refund-R3')).toEqual([]);
    expect(exact.statusCode).toBe(202);
  });

  it('given a FAILED refund on an order, then its amount no longer counts against the total', async () => {
    await post({ outTradeNo: 'T1', outRefundNo: 'R1', totalFee: 10_000 });
    await fail('R1');
    await t.projected();

    expect((await post({ outTradeNo: 'T1', outRefundNo: 'R2', totalFee: 10_000 })).statusCode).toBe(
      202,
    );
  });

  it('given an order check that would fail, when the request repeats an existing refund, then 200 (the repeat is answered first)', async () => {
    await post({ outTradeNo: 'T1', outRefundNo: 'R1', totalFee: 10_000 });
    await t.projected();

    const repeat = await post({ outTradeNo: 'T1', outRefundNo: 'R1', totalFee: 10_000 });
    const conflict = await post({
      outTradeNo: 'T1',
      outRefundNo: 'R1',
      totalFee: 10_000,
      refundFee: 5,
    });

    expect(repeat.statusCode).toBe(200);
    expect(conflict.statusCode).toBe(409);
    expect(conflict.json()).toMatchObject({ code: 'REFUND_NO_CONFLICT' });
  });

  it('given 50 concurrent POST-then-GET pairs, then every GET finds its refund (read-your-writes)', async () => {
    const pairs = await Promise.all(
      Array.from({ length: 50 }, async (_, i) => {
        const created = await post({
          outTradeNo: `T${i}`,
          outRefundNo: `R${i}`,
          totalFee: 100 + i,
        });
        const read = await t.app.inject({ method: 'GET', url: `/v1/refunds/R${i}` });
        return { created, read };
      }),
    );

    for (const { created, read } of pairs) {
      expect(created.statusCode).toBe(202);
      expect(read.statusCode).toBe(200);
      expect(read.json()).toEqual(created.json());
    }
  });

  it('given a retry just answered, when read right after, then the GET shows the new attempt, not the stale failure', async () => {
    await post({ outTradeNo: 'T1', outRefundNo: 'R1', totalFee: 100 });
    await fail('R1');
    await t.projected();

    const retried = await t.app.inject({ method: 'POST', url: '/v1/refunds/R1/retry' });
    const read = await t.app.inject({ method: 'GET', url: '/v1/refunds/R1' });

    expect(retried.statusCode).toBe(202);
    expect(read.json()).toMatchObject({ status: 'REQUESTED', attempt: 2 });
  });
});
