import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../support/fixtures.js';

const api = { correlationId: 'c', causationId: 'c', source: 'api' } as const;
const at = (minute: number) => `2026-11-28T08:${String(minute).padStart(2, '0')}:00.000Z`;

/**
 * GET /v1/refunds over refunds put into their states through the service's own command handler,
 * with requestedAt chosen so that the order is known (R3 and R4 tie).
 */
describe('GET /v1/refunds', () => {
  let t: TestApp;
  const request = async (outRefundNo: string, outTradeNo: string, minute: number) =>
    t.handle(
      {
        type: 'RequestRefund',
        data: { outRefundNo, outTradeNo, totalFee: 100, refundFee: 100, requestedAt: at(minute) },
      },
      api,
    );
  const fail = async (outRefundNo: string, code: string) =>
    t.handle(
      {
        type: 'FailRefund',
        data: { outRefundNo, stage: 'request', code, message: code, failedAt: at(59) },
      },
      { ...api, source: 'gateway' },
    );

  beforeAll(async () => {
    t = await createTestApp();
    await request('R1', 'T1', 1);
    await request('R2', 'T2', 2);
    await request('R4', 'T1', 3);
    await request('R3', 'T3', 3);
    await request('R5', 'T5', 5);
    await fail('R2', 'NOTENOUGH');
    await fail('R5', 'NOTENOUGH');
    await fail('R1', 'TRADE_OVERDUE');
    await t.projected();
  });
  afterAll(() => t.close());

  const list = async (query: string) => {
    const response = await t.app.inject({ method: 'GET', url: `/v1/refunds${query}` });
    return { status: response.statusCode, body: response.json() };
  };
  const ids = async (query: string) => {
    const { status, body } = await list(query);
    expect(status, JSON.stringify(body)).toBe(200);
    return body.data.map((refund: { outRefundNo: string }) => refund.outRefundNo);
  };
  /** Follows nextCursor to the end. */
  const allPages = async (query: string) => {
    const pages: string[][] = [];
    let { body } = await list(query);
    pages.push(body.data.map((r: { outRefundNo: string }) => r.outRefundNo));
    while (body.nextCursor !== null) {
      ({ body } = await list(`${query}&cursor=${encodeURIComponent(body.nextCursor)}`));
      pages.push(body.data.map((r: { outRefundNo: string }) => r.outRefundNo));
    }
    return pages;
  };

  it('given refunds, when listed without filters, then newest requestedAt first, ties by outRefundNo, as the refund resources', async () => {
    const { status, body } = await list('');

    expect(status).toBe(200);
    expect(body.nextCursor).toBeNull();
    expect(body.data.map((r: { outRefundNo: string }) => r.outRefundNo)).toEqual([
      'R5',
      'R3',
      'R4',
      'R2',
      'R1',
    ]);
    const single = await t.app.inject({ method: 'GET', url: '/v1/refunds/R2' });
    expect(body.data[3]).toEqual(single.json());
  });

  it('given a limit, then pages continue exactly through nextCursor, and the last says null', async () => {
    expect(await allPages('?limit=2')).toEqual([['R5', 'R3'], ['R4', 'R2'], ['R1']]);
    expect(await allPages('?limit=1&status=FAILED')).toEqual([['R5'], ['R2'], ['R1']]);
  });

  it('given each filter, then only matching refunds, and filters combine', async () => {
    expect(await ids('?status=FAILED')).toEqual(['R5', 'R2', 'R1']);
    expect(await ids('?status=REQUESTED')).toEqual(['R3', 'R4']);
    expect(await ids('?failureCode=NOTENOUGH')).toEqual(['R5', 'R2']);
    expect(await ids('?status=FAILED&failureCode=TRADE_OVERDUE')).toEqual(['R1']);
    expect(await ids('?outTradeNo=T1')).toEqual(['R4', 'R1']);
    expect(await ids('?outTradeNo=T1&status=REQUESTED')).toEqual(['R4']);
    expect(await ids(`?from=${at(2)}&to=${at(3)}`)).toEqual(['R3', 'R4', 'R2']);
    expect(await ids(`?from=2026-11-28T16:03:00%2B08:00`)).toEqual(['R5', 'R3', 'R4']);
    expect(await ids('?from=2026-11-28&to=2026-11-28')).toHaveLength(5);
    expect(await ids('?to=2026-11-27')).toEqual([]);
    expect(await ids(`?status=FAILED&from=${at(2)}&failureCode=NOTENOUGH`)).toEqual(['R5', 'R2']);
  });

  it.each([
    ['an unknown status', '?status=PENDING'],
    ['a bad date', '?from=yesterday'],
    ['a date without an offset', '?to=2026-11-28T08:00:00'],
    ['limit 0', '?limit=0'],
    ['limit 101', '?limit=101'],
    ['a fractional limit', '?limit=1.5'],
    ['an unknown parameter', '?sort=asc'],
    ['a malformed cursor', '?cursor=not-a-cursor!'],
    ['a cursor that is not ours', `?cursor=${Buffer.from('{"a":1}').toString('base64url')}`],
  ])('given %s, then 400 problem+json', async (_what, query) => {
    const response = await t.app.inject({ method: 'GET', url: `/v1/refunds${query}` });

    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.json().code).toMatch(/^(VALIDATION_FAILED|INVALID_CURSOR)$/);
  });

  it('given limits at the bounds, then 1 and 100 are accepted', async () => {
    expect(await ids('?limit=1')).toEqual(['R5']);
    expect(await ids('?limit=100')).toHaveLength(5);
  });
});
