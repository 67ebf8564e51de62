import { describe, expect, it } from 'vitest';
import { runAudit } from '../../../src/audit/runAudit.js';
import { failRefund, failedNotEnoughNow } from '../../domain/refund/refundFixtures.js';
import { testAppPerTest } from '../../support/fixtures.js';
import { readOnlyStoresOf } from '../../support/testService.js';

const json = { 'content-type': 'application/json' };
const gateway = { correlationId: 'c', causationId: 'c', source: 'gateway' } as const;

describe('orders and the ledger checks', () => {
  const t = testAppPerTest();

  const post = (body: object) =>
    t.app.inject({
      method: 'POST',
      url: '/v1/refunds',
      headers: json,
      payload: JSON.stringify(body),
    });
  const order = (outTradeNo: string) =>
    t.app.inject({ method: 'GET', url: `/v1/orders/${outTradeNo}/refunds` });
  const fail = (outRefundNo: string) => t.handle(failedNotEnoughNow(outRefundNo), gateway);

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

  // DESIGN §5: requests for one order on one instance are checked and appended one after
  // another, each check seeing the earlier ones although the ledger is a projection that lags.
  describe('requests for one order at once', () => {
    const auditIsClean = async () => {
      await t.projected();
      const stores = readOnlyStoresOf(t);
      const report = await runAudit({
        ...stores,
        now: new Date(),
        staleAfterSeconds: 3600,
      }).finally(stores.close);
      expect(report.anomalies.listed).toEqual([]);
      expect(report.clean).toBe(true);
    };

    it('given 20 concurrent requests whose sum exceeds the order, then exactly the ones that fit are 202 and the rest 422 REFUND_EXCEEDS_ORDER, and the audit is clean', async () => {
      const answers = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          post({ outTradeNo: 'T1', outRefundNo: `R${i}`, totalFee: 10_000, refundFee: 1000 }),
        ),
      );

      expect(answers.filter((answer) => answer.statusCode === 202)).toHaveLength(10);
      const refused = answers.filter((answer) => answer.statusCode !== 202);
      expect(refused.map((answer) => [answer.statusCode, answer.json().code])).toEqual(
        Array.from({ length: 10 }, () => [422, 'REFUND_EXCEEDS_ORDER']),
      );
      await t.projected();
      expect((await order('T1')).json()).toMatchObject({ totalFee: 10_000, pendingFee: 10_000 });
      await auditIsClean();
    });

    it('given 20 concurrent first requests of an order stating two totalFee, then those stating the first one recorded are 202 and the others 422 TOTAL_FEE_MISMATCH, and the audit is clean', async () => {
      const totalFeeOf = (i: number) => (i % 2 === 0 ? 5000 : 6000);
      const answers = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          post({ outTradeNo: 'T1', outRefundNo: `R${i}`, totalFee: totalFeeOf(i), refundFee: 100 }),
        ),
      );

      await t.projected();
      const { totalFee } = (await order('T1')).json();
      answers.forEach((answer, i) => {
        if (totalFeeOf(i) === totalFee) expect(answer.statusCode).toBe(202);
        else expect([answer.statusCode, answer.json().code]).toEqual([422, 'TOTAL_FEE_MISMATCH']);
      });
      await auditIsClean();
    });

    it('given 51 concurrent requests for one order, then 50 are 202 and one 422 TOO_MANY_REFUNDS; a refund that failed at request frees a place, one that failed at settlement does not', async () => {
      const one = (outRefundNo: string) =>
        post({ outTradeNo: 'T1', outRefundNo, totalFee: 100_000, refundFee: 1 });
      const answers = await Promise.all(Array.from({ length: 51 }, (_, i) => one(`R${i}`)));
      const taken = answers.flatMap((answer, i) => (answer.statusCode === 202 ? [`R${i}`] : []));
      expect(taken).toHaveLength(50);
      const refused = answers.filter((answer) => answer.statusCode !== 202);
      expect(refused.map((answer) => [answer.statusCode, answer.json().code])).toEqual([
        [422, 'TOO_MANY_REFUNDS'],
      ]);
      expect(refused[0]!.headers['content-type']).toContain('application/problem+json');

      await t.handle(failRefund('settlement', 'REFUNDCLOSE', { outRefundNo: taken[0]! }), gateway);
      await t.projected();
      expect((await one('R-more-1')).json()).toMatchObject({ code: 'TOO_MANY_REFUNDS' });

      await fail(taken[1]!);
      await t.projected();
      expect((await one('R-more-2')).statusCode).toBe(202);
      expect((await one('R-more-3')).statusCode).toBe(422);
    });
  });
});
