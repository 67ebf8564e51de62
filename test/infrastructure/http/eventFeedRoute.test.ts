import { describe, expect, it } from 'vitest';
import { testAppPerTest } from '../../support/fixtures.js';
import { failedNotEnoughNow } from '../../domain/refund/refundFixtures.js';

const api = { correlationId: 'c', causationId: 'c', source: 'api' } as const;

describe('GET /v1/events', () => {
  const t = testAppPerTest();

  const request = (outRefundNo: string) =>
    t.handle(
      {
        type: 'RequestRefund',
        data: {
          outRefundNo,
          outTradeNo: `T-${outRefundNo}`,
          totalFee: 100,
          refundFee: 100,
          requestedAt: new Date().toISOString(),
        },
      },
      api,
    );
  const fail = (outRefundNo: string) =>
    t.handle(failedNotEnoughNow(outRefundNo), { ...api, source: 'gateway' });
  const feed = async (query = '') => {
    const response = await t.app.inject({ method: 'GET', url: `/v1/events${query}` });
    return { status: response.statusCode, body: response.json() };
  };

  it('given events, then pages in log order, and after continues exactly where the last page ended', async () => {
    for (const no of ['R1', 'R2', 'R3']) await request(no);
    await fail('R2');
    const stored = [...(await t.events.readCategory('refund', { limit: 100 }))].map((e) => e.id);

    const first = await feed('?limit=3');
    const second = await feed(`?limit=3&after=${first.body.nextCursor}`);
    const end = await feed(`?after=${second.body.nextCursor}`);

    expect(first.status).toBe(200);
    expect([...first.body.data, ...second.body.data].map((e: { id: string }) => e.id)).toEqual(
      stored,
    );
    expect(second.body.data).toHaveLength(1);
    expect(end.body).toEqual({ data: [], nextCursor: second.body.nextCursor });
    expect(first.body.data[0]).toEqual({
      id: stored[0],
      type: 'refund.requested',
      createdAt: expect.any(String),
      data: {
        object: expect.objectContaining({ outRefundNo: 'R1', status: 'REQUESTED', version: 1 }),
      },
    });
    expect(second.body.data[0]).toMatchObject({
      type: 'refund.failed',
      data: { object: { outRefundNo: 'R2', status: 'FAILED', version: 2 } },
    });
  });

  it('given a type filter, then only those types, and the cursor moves past what was read', async () => {
    await request('R1');
    await fail('R1');
    await request('R2');

    const failed = await feed('?types=refund.failed');
    const requested = await feed('?types=refund.requested,refund.failed&limit=1');

    expect(failed.body.data.map((e: { type: string }) => e.type)).toEqual(['refund.failed']);
    expect(requested.body.data.map((e: { type: string }) => e.type)).toEqual(['refund.requested']);
    expect((await feed(`?types=refund.failed&after=${failed.body.nextCursor}`)).body.data).toEqual(
      [],
    );
  });

  it('given a long poll at the head, when an event is recorded, then it answers with it at once', async () => {
    await request('R1');
    const head = (await feed()).body.nextCursor;

    const polling = feed(`?after=${head}&waitSeconds=20`);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const recorded = Date.now();
    await request('R2');
    const answer = await polling;

    expect(
      answer.body.data.map(
        (e: { data: { object: { outRefundNo: string } } }) => e.data.object.outRefundNo,
      ),
    ).toEqual(['R2']);
    // Before the 20 s it could have waited: nothing but an append ends a long poll early.
    expect(Date.now() - recorded).toBeLessThan(20_000);
  });

  it('given a long poll and no event, then after waitSeconds an empty page with the same cursor', async () => {
    await request('R1');
    const head = (await feed()).body.nextCursor;

    const started = Date.now();
    const answer = await feed(`?after=${head}&waitSeconds=1`);

    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(answer.body).toEqual({ data: [], nextCursor: head });
  });

  it.each([
    ['a malformed after', '?after=%%%'],
    ['an after that is not ours', `?after=${Buffer.from('p-1').toString('base64url')}`],
    ['an unknown type', '?types=refund.created'],
    ['limit 501', '?limit=501'],
    ['waitSeconds 31', '?waitSeconds=31'],
  ])('given %s, then 400 problem+json', async (_what, query) => {
    const response = await t.app.inject({ method: 'GET', url: `/v1/events${query}` });

    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  });
});
