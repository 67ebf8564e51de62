import { createHash } from 'node:crypto';
import path from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BillUnavailable, BillUnreadable } from '../../../../src/application/bills/billErrors.js';
import type { Bill, BillItem } from '../../../../src/application/bills/billRecords.js';
import { addDays, chinaDateOf } from '../../../../src/application/chinaDate.js';
import { downloadedBill } from '../../../../src/infrastructure/wechat/bills/downloadedBill.js';
import type { WechatPayClient } from '../../../../src/infrastructure/wechat/wechatPayClient.js';
import type { WechatSandbox } from '../../../../src/sandbox/wechatSandbox.js';
import { startSandboxFixture } from '../../../sandbox/support/sandboxFixture.js';
import { startSandboxV3Fixture } from '../../../sandbox/support/sandboxV3Fixture.js';
import { eventually } from '../../../support/eventually.js';
import { makeTempDir } from '../../../support/fixtures.js';
import { refundBill, refundRow, summaryLines } from './billFiles.js';

const itemsOf = async (bill: Bill): Promise<BillItem[]> => {
  if (bill.kind !== 'bill') throw new Error(`no bill: ${bill.kind}`);
  const items: BillItem[] = [];
  try {
    for await (const item of bill.items) items.push(item);
  } finally {
    await bill.close?.();
  }
  return items;
};

const failureOf = (promise: Promise<unknown>): Promise<unknown> =>
  promise.then(
    () => undefined,
    (error: unknown) => error,
  );

type Fixture = {
  sandbox: WechatSandbox;
  client: () => WechatPayClient;
  /** v2: a client whose requests are signed with another API key. */
  wrongKeyClient?: () => WechatPayClient;
  close: () => Promise<void>;
};

const temp = makeTempDir('bill-download-');
const fixtures: Record<'v2' | 'v3', () => Promise<Fixture>> = {
  v2: async () => {
    const fixture = await startSandboxFixture(path.join(temp.dir, 'v2'));
    return {
      ...fixture,
      client: () => fixture.client(),
      wrongKeyClient: () => fixture.client({ apiKey: 'x'.repeat(32) }),
    };
  },
  v3: async () => {
    const fixture = await startSandboxV3Fixture(path.join(temp.dir, 'v3'));
    return { ...fixture, client: () => fixture.client() };
  },
};
afterAll(() => temp.remove());

describe.each(['v2', 'v3'] as const)('downloading the refund bill with API %s', (api) => {
  let fixture: Fixture;
  let client: WechatPayClient;
  const today = () => chinaDateOf(new Date());
  let counter = 0;
  const refundNo = () => `B${api}${Date.now()}${++counter}`;

  beforeAll(async () => {
    fixture = await fixtures[api]();
    client = fixture.client();
  });
  afterAll(() => fixture.close());

  it('given refunds WeChat took today, when downloading today’s bill, then a row for each with its amount and status, and totals that add up', async () => {
    const numbers = [refundNo(), refundNo()];
    for (const [i, outRefundNo] of numbers.entries()) {
      const answer = await client.refund({
        outRefundNo,
        outTradeNo: `T${outRefundNo}`,
        totalFee: 3960,
        refundFee: 1990 + i,
      });
      expect(answer.kind).toBe('accepted');
    }
    await eventually(() =>
      expect(
        fixture.sandbox
          .refunds()
          .filter((r) => numbers.includes(r.outRefundNo) && r.status === 'SUCCESS'),
      ).toHaveLength(2),
    );

    const items = await itemsOf(await client.downloadBill(today()));

    const rows = items.flatMap((item) => (item.kind === 'row' ? [item.row] : []));
    const ours = rows.filter((row) => numbers.includes(row.outRefundNo));
    expect(ours.map((row) => [row.outRefundNo, row.refundFee, row.orderFee, row.status])).toEqual([
      [numbers[0], 1990, 3960, 'SUCCESS'],
      [numbers[1], 1991, 3960, 'SUCCESS'],
    ]);
    expect(ours[0]?.refundId).toMatch(/^\d{29,}$/);
    const totals = items.at(-1);
    expect(totals?.kind).toBe('totals');
    if (totals?.kind === 'totals') {
      for (const total of totals.totals) expect(total.summary).toBe(total.rows);
    }
  });

  it('given a planted discrepancy, then the bill states it', async () => {
    const outRefundNo = refundNo();
    await client.refund({
      outRefundNo,
      outTradeNo: `T${outRefundNo}`,
      totalFee: 100,
      refundFee: 100,
    });
    fixture.sandbox.plantBillDiscrepancy({ kind: 'amount', outRefundNo, refundFee: 90 });
    fixture.sandbox.plantBillDiscrepancy({ kind: 'summary', date: today(), refundTotalDelta: 5 });

    const items = await itemsOf(await client.downloadBill(today()));

    expect(items).toContainEqual({
      kind: 'row',
      row: expect.objectContaining({ outRefundNo, refundFee: 90 }),
    });
    const last = items.at(-1);
    const total =
      last?.kind === 'totals' ? last.totals.find((t) => t.field === '退款总金额') : undefined;
    expect(total && total.summary - total.rows).toBe(5);
  });

  it('given a day WeChat took no refund, then no bill (No Bill Exist / NO_STATEMENT_EXIST), not an error', async () => {
    expect(await client.downloadBill(addDays(today(), -40))).toEqual({ kind: 'none', source: api });
  });

  it('given a bill that is not generated yet, or a date to come, then it is unavailable', async () => {
    const date = addDays(today(), -1);
    fixture.sandbox.plantBillDiscrepancy({ kind: 'notReady', date, times: 1 });
    const held = await failureOf(client.downloadBill(date));
    expect(held).toBeInstanceOf(BillUnavailable);
    expect(String(held)).toMatch(api === 'v2' ? /not generated yet/ : /STATEMENT_CREATING/);
    // Then it is (a day without refunds).
    expect(await client.downloadBill(date)).toEqual({ kind: 'none', source: api });

    expect(await failureOf(client.downloadBill(addDays(today(), 1)))).toBeInstanceOf(
      BillUnavailable,
    );
  });

  it('given answers whose signature does not verify, or a request WeChat refuses to verify, then no bill', async () => {
    if (fixture.wrongKeyClient) {
      // The request signed with another key: WeChat refuses it (return_code FAIL, SIGNERROR).
      const wrongKey = fixture.wrongKeyClient();
      const refused = await failureOf(wrongKey.downloadBill(today()));
      expect(refused).toBeInstanceOf(BillUnavailable);
      expect(String(refused)).toContain('SIGNERROR');
    } else {
      fixture.sandbox.corruptSigns(true);
      try {
        const refused = await failureOf(client.downloadBill(today()));
        expect(refused).toBeInstanceOf(BillUnavailable);
        expect(String(refused)).toContain('BAD_SIGNATURE');
      } finally {
        fixture.sandbox.corruptSigns(false);
      }
    }
  });
});

describe('a downloaded bill', () => {
  const file = refundBill(
    [refundRow({ outRefundNo: 'R1', refund: '1.00' })],
    summaryLines(1, '1.00'),
  );
  const sha1 = createHash('sha1').update(file).digest('hex');

  it('given the SHA1 WeChat stated, of the uncompressed file, then it is read', async () => {
    const bill = await downloadedBill(Readable.from([gzipSync(file)]), { source: 'v3', sha1 });
    expect((await itemsOf(bill)).map((item) => item.kind)).toEqual(['row', 'totals']);
  });

  it('given another SHA1, then it is refused before a row is read', async () => {
    const refused = await failureOf(
      downloadedBill(Readable.from([gzipSync(file.replace('1.00', '2.00'))]), {
        source: 'v3',
        sha1,
      }),
    );
    expect(refused).toBeInstanceOf(BillUnreadable);
    expect(String(refused)).toContain(`WeChat said ${sha1}`);
  });

  it('given a download that breaks off, then the bill is unavailable', async () => {
    const broken = new Readable({
      read() {
        this.push(Buffer.from(file.slice(0, 20)));
        this.destroy(new Error('socket hang up'));
      },
    });
    const refused = await failureOf(downloadedBill(broken, { source: 'v2' }));
    expect(refused).toBeInstanceOf(BillUnavailable);
    expect(String(refused)).toContain('socket hang up');
  });
});
