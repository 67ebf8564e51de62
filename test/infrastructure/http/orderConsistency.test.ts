import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runAudit } from '../../../src/audit/runAudit.js';
import { createTestApp, type TestApp } from '../../support/testApp.js';
import { readOnlyStoresOf } from '../../support/testService.js';

const json = { 'content-type': 'application/json' };
const gateway = { correlationId: 'c', causationId: 'c', source: 'gateway' } as const;

/**
 * DESIGN §5: requests for one order on one instance are checked and appended one after another,
 * each check seeing the earlier ones although the ledger is a projection that lags.
 */
describe('requests for one order at once', () => {
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
  const postAll = (bodies: object[]) => Promise.all(bodies.map(post));
  const order = async (outTradeNo: string) =>
    (await t.app.inject({ method: 'GET', url: `/v1/orders/${outTradeNo}/refunds` })).json();
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
    const answers = await postAll(
      Array.from({ length: 20 }, (_, i) => ({
        outTradeNo: 'T1',
        outRefundNo: `R${i}`,
        totalFee: 10_000,
        refundFee: 1000,
      })),
    );

    const statuses = answers.map((answer) => answer.statusCode);
    expect(statuses.filter((status) => status === 202)).toHaveLength(10);
    const refused = answers.filter((answer) => answer.statusCode !== 202);
    expect(refused.map((answer) => [answer.statusCode, answer.json().code])).toEqual(
      Array.from({ length: 10 }, () => [422, 'REFUND_EXCEEDS_ORDER']),
    );
    await t.projected();
    expect(await order('T1')).toMatchObject({ totalFee: 10_000, pendingFee: 10_000 });
    await auditIsClean();
  });

  it('given 20 concurrent first requests of an order stating two totalFee, then those stating the first one recorded are 202 and the others 422 TOTAL_FEE_MISMATCH, and the audit is clean', async () => {
    const answers = await postAll(
      Array.from({ length: 20 }, (_, i) => ({
        outTradeNo: 'T1',
        outRefundNo: `R${i}`,
        totalFee: i % 2 === 0 ? 5000 : 6000,
        refundFee: 100,
      })),
    );

    await t.projected();
    const { totalFee } = await order('T1');
    answers.forEach((answer, i) => {
      if ((i % 2 === 0 ? 5000 : 6000) === totalFee) {
        expect(answer.statusCode).toBe(202);
      } else {
        expect([answer.statusCode, answer.json().code]).toEqual([422, 'TOTAL_FEE_MISMATCH']);
      }
    });
    await auditIsClean();
  });

  it('given concurrent requests for different orders, then none is refused for another’s sake', async () => {
    const answers = await postAll(
      Array.from({ length: 20 }, (_, i) => ({
        outTradeNo: `T${i % 4}`,
        outRefundNo: `R${i}`,
        totalFee: 5000,
        refundFee: 1000,
      })),
    );
    expect(answers.map((answer) => answer.statusCode)).toEqual(Array(20).fill(202));
  });
});

describe("WeChat's 50 refunds per order (TOO_MANY_REFUNDS)", () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await createTestApp();
  });
  afterEach(() => t.close());

  const post = (outRefundNo: string) =>
    t.app.inject({
      method: 'POST',
      url: '/v1/refunds',
      headers: json,
      payload: JSON.stringify({ outTradeNo: 'T1', outRefundNo, totalFee: 100_000, refundFee: 1 }),
    });

  it('given 51 concurrent requests for one order, then 50 are 202 and one 422 TOO_MANY_REFUNDS; a refund that failed at request frees a place, one that failed at settlement does not', async () => {
    const answers = await Promise.all(Array.from({ length: 51 }, (_, i) => post(`R${i}`)));
    expect(answers.filter((answer) => answer.statusCode === 202)).toHaveLength(50);
    const refused = answers.filter((answer) => answer.statusCode !== 202);
    expect(refused.map((answer) => [answer.statusCode, answer.json().code])).toEqual([
      [422, 'TOO_MANY_REFUNDS'],
    ]);
    expect(refused[0]!.headers['content-type']).toContain('application/problem+json');

    const fail = (outRefundNo: string, stage: 'request' | 'settlement') =>
      t.handle(
        {
          type: 'FailRefund',
          data: {
            outRefundNo,
            stage,
            code: stage === 'request' ? 'NOTENOUGH' : 'REFUNDCLOSE',
            message: 'failed',
            failedAt: new Date().toISOString(),
          },
        },
        gateway,
      );
    const accepted = answers.findIndex((answer) => answer.statusCode === 202);
    const others = answers.flatMap((answer, i) =>
      answer.statusCode === 202 && i !== accepted ? [i] : [],
    );
    await fail(`R${others[0]}`, 'settlement');
    await t.projected();
    expect((await post('R-more-1')).json()).toMatchObject({ code: 'TOO_MANY_REFUNDS' });

    await fail(`R${accepted}`, 'request');
    await t.projected();
    expect((await post('R-more-2')).statusCode).toBe(202);
    expect((await post('R-more-3')).statusCode).toBe(422);
  });
});
