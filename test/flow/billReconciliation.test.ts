import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addDays, chinaDate, chinaDateOf, chinaInstant } from '../../src/application/chinaDate.js';
import { runAudit } from '../../src/audit/runAudit.js';
import type { WechatSandbox } from '../../src/sandbox/wechatSandbox.js';
import { eventually } from '../support/eventually.js';
import {
  readOnlyStoresOf,
  startTestService,
  type Json,
  type TestService,
} from '../support/testService.js';

describe.each(['v2', 'v3'] as const)(
  "reconciling a day with WeChat Pay's refund bill (API %s)",
  (api) => {
    let s: TestService;
    let sandbox: WechatSandbox;
    beforeEach(async () => {
      s = await startTestService({ WECHAT_API_VERSION: api });
      sandbox = s.wechat.sandbox!;
    });
    afterEach(() => s.stop());

    const refunded = async (outRefundNo: string): Promise<Json> => {
      const created = await s.call('POST', '/v1/refunds', {
        outTradeNo: `T-${outRefundNo}`,
        outRefundNo,
        totalFee: 1000,
        refundFee: 500,
      });
      expect(created.status).toBe(202);
      return eventually(async () => {
        const refund = await (await s.call('GET', `/v1/refunds/${outRefundNo}`)).json();
        expect(refund.status).toBe('SUCCEEDED');
        return refund;
      });
    };

    const reconcile = async (date: string): Promise<Json> => {
      const answer = await s.call('POST', `/v1/reconciliations/${date}`);
      expect(answer.status).toBe(200);
      return answer.json();
    };

    it('given one discrepancy of each kind planted, when the day is reconciled, then each is reported once, the refund only the bill tells of is recorded once, and a re-run reports the same', async () => {
      const [ok, amount, status, omitted] = ['ok', 'amount', 'status', 'omitted'].map(
        (n) => `${n}-${api}`,
      );
      for (const outRefundNo of [ok, amount, status, omitted]) await refunded(outRefundNo!);
      // Made by hand on the merchant platform, never notified: only the bill tells of it.
      const platform = await sandbox.simulateMerchantPlatformRefund({
        outTradeNo: `T-platform-${api}`,
        totalFee: 800,
        refundFee: 300,
        notify: false,
        api,
      });
      const date = chinaDate(platform.createdAt)!;
      sandbox.plantBillDiscrepancy({ kind: 'amount', outRefundNo: amount!, refundFee: 400 });
      sandbox.plantBillDiscrepancy({ kind: 'status', outRefundNo: status!, status: 'REFUNDCLOSE' });
      sandbox.plantBillDiscrepancy({ kind: 'omit', outRefundNo: omitted! });
      sandbox.plantBillDiscrepancy({ kind: 'summary', date, refundTotalDelta: 7 });

      const first = await reconcile(date);

      expect(first).toMatchObject({
        date,
        billType: 'REFUND',
        clean: false,
        billSource: api,
        billExists: true,
        billRows: 4,
        counts: {
          matched: 1,
          missingFromLog: 1,
          missingFromBill: 1,
          amountMismatch: 1,
          statusMismatch: 1,
          summaryMismatch: 1,
        },
      });
      const billed = (refundFee: number, status = 'SUCCESS') =>
        expect.objectContaining({ status, refundFee, refundId: expect.stringMatching(/^\d+$/) });
      const logged = (status: string, refundFee: number) =>
        expect.objectContaining({ status, refundFee, origin: 'api', billDate: date });
      expect(first.discrepancies).toEqual([
        {
          kind: 'missingFromLog',
          outRefundNo: platform.outRefundNo,
          refundId: platform.refundId,
          bill: billed(300),
          recorded: true,
        },
        expect.objectContaining({
          kind: 'missingFromBill',
          outRefundNo: omitted,
          log: logged('SUCCEEDED', 500),
        }),
        expect.objectContaining({
          kind: 'amountMismatch',
          outRefundNo: amount,
          bill: billed(400),
          log: logged('SUCCEEDED', 500),
        }),
        expect.objectContaining({
          kind: 'statusMismatch',
          outRefundNo: status,
          bill: billed(500, 'REFUNDCLOSE'),
          log: logged('SUCCEEDED', 500),
        }),
        {
          kind: 'summaryMismatch',
          outRefundNo: '',
          total: { field: '退款总金额', summary: 1707, rows: 1700 },
        },
      ]);

      // The platform refund is in the log now, as any refund: origin wechat, recorded from the bill.
      const recorded = await eventually(async () => {
        const refund = await (await s.call('GET', `/v1/refunds/${platform.outRefundNo}`)).json();
        expect(refund.status).toBe('SUCCEEDED');
        return refund;
      });
      expect(recorded).toMatchObject({
        outTradeNo: `T-platform-${api}`,
        transactionId: platform.transactionId,
        totalFee: 800,
        refundFee: 300,
        refundId: platform.refundId,
        requestedAt: expect.stringMatching(new RegExp(`^${date}T.*\\+08:00$`)),
      });
      const history = async () =>
        (await (await s.call('GET', `/v1/refunds/${platform.outRefundNo}/events`)).json()).events;
      expect(
        (await history()).map((e: Json) => [e.type, e.data.origin, e.metadata.source]),
      ).toEqual([
        ['RefundRequested', 'wechat', 'bill'],
        ['RefundSucceeded', undefined, 'bill'],
      ]);

      const second = await reconcile(date);

      expect({ ...second, checkedAt: undefined }).toEqual({ ...first, checkedAt: undefined });
      expect(await history()).toHaveLength(2);
      expect(await (await s.call('GET', `/v1/reconciliations/${date}`)).json()).toEqual(second);

      // It flows like any other refund: the feed, the metrics, the audit.
      const feed = await (await s.call('GET', '/v1/events?types=refund.succeeded')).json();
      expect(feed.data.map((event: Json) => event.data.object.outRefundNo)).toContain(
        platform.outRefundNo,
      );
      const metrics = await (await fetch(`${s.url}/metrics`)).text();
      for (const kind of [
        'missingFromLog',
        'missingFromBill',
        'amountMismatch',
        'statusMismatch',
      ]) {
        expect(metrics).toMatch(
          new RegExp(`^bill_reconciliation_discrepancies\\{kind="${kind}"\\} 1$`, 'm'),
        );
      }
      const beside = readOnlyStoresOf(s);
      const audit = await runAudit({ ...beside, now: new Date(), staleAfterSeconds: 3600 }).finally(
        () => beside.close(),
      );
      expect(audit.clean).toBe(true);
    });

    it('given a day WeChat took no refund, then a clean reconciliation that says there was no bill', async () => {
      const date = addDays(chinaDateOf(new Date()), -30);
      expect(await reconcile(date)).toMatchObject({
        date,
        clean: true,
        billExists: false,
        billRows: 0,
        counts: { matched: 0, missingFromLog: 0, missingFromBill: 0 },
        discrepancies: [],
      });
    });

    it('given a bill not generated yet, then 502 BILL_UNAVAILABLE and nothing stored; a date to come or no date, 400; a date never reconciled, 404', async () => {
      const date = addDays(chinaDateOf(new Date()), -1);
      sandbox.plantBillDiscrepancy({ kind: 'notReady', date, times: 1 });

      const held = await s.call('POST', `/v1/reconciliations/${date}`);
      expect(held.status).toBe(502);
      expect(await held.json()).toMatchObject({ code: 'BILL_UNAVAILABLE' });
      const none = await s.call('GET', `/v1/reconciliations/${date}`);
      expect(none.status).toBe(404);
      expect(await none.json()).toMatchObject({ code: 'RECONCILIATION_NOT_FOUND' });

      const tomorrow = await s.call(
        'POST',
        `/v1/reconciliations/${addDays(chinaDateOf(new Date()), 2)}`,
      );
      expect(tomorrow.status).toBe(400);
      expect(await tomorrow.json()).toMatchObject({ code: 'INVALID_BILL_DATE' });
      for (const wrong of ['2026-02-30', '20261128', 'yesterday']) {
        expect((await s.call('POST', `/v1/reconciliations/${wrong}`)).status).toBe(400);
      }
    });
  },
);

describe('the daily bill run inside the service', () => {
  let s: TestService | undefined;
  afterEach(() => s?.stop());

  it('given BILL_RECONCILE_TIME, when the service’s clock reaches it, then yesterday’s bill is reconciled and stored; while it is not generated, again 30 minutes later', async () => {
    // The sandbox's bills go by the real date; the service believes it is the next day, 10:29.
    const today = chinaDateOf(new Date());
    let offset = chinaInstant(addDays(today, 1), 10 * 60 + 29).getTime() - Date.now();
    const clock = { now: () => new Date(Date.now() + offset) };
    s = await startTestService(
      { BILL_RECONCILE_TIME: '10:30' },
      { clock, billRun: { checkIntervalMs: 20 } },
    );
    const service = s;
    const sandbox = service.wechat.sandbox!;
    const downloads = () => sandbox.requests().filter((r) => r.path === '/pay/downloadbill');
    // At start it makes up for the run it missed: the day before (no refunds, a clean day).
    await eventually(async () =>
      expect((await service.call('GET', `/v1/reconciliations/${addDays(today, -1)}`)).status).toBe(
        200,
      ),
    );
    expect((await service.call('GET', `/v1/reconciliations/${today}`)).status).toBe(404);

    await service.call('POST', '/v1/refunds', { outTradeNo: 'T-daily', totalFee: 100 });
    await eventually(async () =>
      expect((await (await service.call('GET', '/v1/refunds/T-daily')).json()).status).toBe(
        'SUCCEEDED',
      ),
    );
    sandbox.plantBillDiscrepancy({ kind: 'notReady', date: today, times: 1 });
    const before = downloads().length;
    offset += 60_000;
    await eventually(() => expect(downloads().length).toBe(before + 1));
    expect((await service.call('GET', `/v1/reconciliations/${today}`)).status).toBe(404);

    offset += 30 * 60_000;
    const stored = await eventually(async () => {
      const answer = await service.call('GET', `/v1/reconciliations/${today}`);
      expect(answer.status).toBe(200);
      return answer.json();
    });
    expect(stored).toMatchObject({ date: today, clean: true, counts: { matched: 1 } });
    expect(downloads()).toHaveLength(before + 2);
  });
});
