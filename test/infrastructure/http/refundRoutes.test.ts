import { describe, expect, it } from 'vitest';
import { testAppPerTest } from '../../support/fixtures.js';
import { failedNotEnoughNow } from '../../domain/refund/refundFixtures.js';

const json = { 'content-type': 'application/json' };
const valid = {
  outTradeNo: 'T1',
  outRefundNo: 'R1',
  totalFee: 3960,
  refundFee: 1990,
  reason: '商品已退货',
};
const gateway = { correlationId: 'c', causationId: 'c', source: 'gateway' } as const;

describe('refund routes', () => {
  const t = testAppPerTest();

  const post = (body: unknown, url = '/v1/refunds') =>
    t.app.inject({ method: 'POST', url, headers: json, payload: JSON.stringify(body) });
  const storedEvents = async (outRefundNo: string) =>
    (await t.events.readStream(`refund-${outRefundNo}`)).map((e) => e.type);

  describe('POST /v1/refunds', () => {
    it('given a new refund, when requested, then 202 with the resource and its Location', async () => {
      const response = await post(valid);

      expect(response.statusCode).toBe(202);
      expect(response.headers['location']).toBe('/v1/refunds/R1');
      expect(response.json()).toMatchObject({
        ...valid,
        status: 'REQUESTED',
        origin: 'api',
        attempt: 1,
        version: 1,
      });
      expect(await storedEvents('R1')).toEqual(['RefundRequested']);
    });

    it('given only outTradeNo and totalFee, then outRefundNo and refundFee default to them (full refund)', async () => {
      const response = await post({ outTradeNo: 'T7', totalFee: 100 });

      expect(response.statusCode).toBe(202);
      expect(response.json()).toMatchObject({
        outRefundNo: 'T7',
        outTradeNo: 'T7',
        totalFee: 100,
        refundFee: 100,
      });
    });

    it('given a requested refund, when the identical request repeats, then 200 with the same resource and nothing is written', async () => {
      const first = await post(valid);
      const again = await post(valid);

      expect(again.statusCode).toBe(200);
      expect(again.json()).toEqual(first.json());
      expect(await storedEvents('R1')).toEqual(['RefundRequested']);
    });

    it('given a full refund by shorthand, when repeated with the defaults spelled out, then it is identical (200, the same resource, nothing written)', async () => {
      const first = await post({ outTradeNo: 'T7', totalFee: 100 });
      const again = await post({
        outTradeNo: 'T7',
        outRefundNo: 'T7',
        totalFee: 100,
        refundFee: 100,
      });

      expect(again.statusCode).toBe(200);
      expect(again.json()).toEqual(first.json());
      expect(await storedEvents('T7')).toEqual(['RefundRequested']);
    });

    it('given a request the idempotency guard knows, when it repeats, then it is answered without touching the event store', async () => {
      const first = await post(valid);
      await t.projected();
      await t.events.close(); // from here on, any read or write of the log would fail

      const again = await post(valid);
      const conflicting = await post({ ...valid, refundFee: 1 });

      expect(again.statusCode).toBe(200);
      expect(again.json()).toEqual(first.json());
      expect(conflicting.statusCode).toBe(409);
      expect(conflicting.json()).toMatchObject({ code: 'REFUND_NO_CONFLICT' });
    });

    it('given a requested refund, when the same outRefundNo comes with other content, then 409 REFUND_NO_CONFLICT', async () => {
      await post(valid);
      const response = await post({ ...valid, refundFee: 1000 });

      expect(response.statusCode).toBe(409);
      expect(response.headers['content-type']).toContain('application/problem+json');
      expect(response.json()).toMatchObject({ status: 409, code: 'REFUND_NO_CONFLICT' });
      expect(await storedEvents('R1')).toEqual(['RefundRequested']);
    });

    it('given 50 concurrent identical requests, then exactly one RefundRequested is stored, one 202 and 49 200', async () => {
      const responses = await Promise.all(Array.from({ length: 50 }, () => post(valid)));

      const statuses = responses.map((r) => r.statusCode).sort();
      expect(statuses.filter((s) => s === 202)).toHaveLength(1);
      expect(statuses.filter((s) => s === 200)).toHaveLength(49);
      expect(await storedEvents('R1')).toEqual(['RefundRequested']);
    });

    it.each([
      ['totalFee as a string', { ...valid, totalFee: '3960' }, 'totalFee'],
      ['totalFee as a fraction', { ...valid, totalFee: 39.6 }, 'totalFee'],
      ['refundFee as a fraction', { ...valid, refundFee: 19.9 }, 'refundFee'],
      ['totalFee zero', { ...valid, totalFee: 0 }, 'totalFee'],
      ['refundFee negative', { ...valid, refundFee: -1 }, 'refundFee'],
      ['refundFee above totalFee', { ...valid, refundFee: 3961 }, 'refundFee'],
      ['an amount beyond 2^53', { ...valid, totalFee: 2 ** 53 }, 'totalFee'],
      ['an amount beyond 32 bits', { ...valid, totalFee: 2_147_483_648 }, 'totalFee'],
      ['a reason with CR LF', { ...valid, reason: '退货\r\n理由' }, 'reason'],
      ['a reason with a tab', { ...valid, reason: '退货\t理由' }, 'reason'],
      ['a reason with NUL', { ...valid, reason: 'a\u0000b' }, 'reason'],
      ['a reason with U+0001', { ...valid, reason: 'a\u0001b' }, 'reason'],
      ['a reason with DEL', { ...valid, reason: 'a\u007fb' }, 'reason'],
      ['a reason with a C1 control', { ...valid, reason: 'a\u0085b' }, 'reason'],
      ['a reason with U+FFFF', { ...valid, reason: 'a\uffffb' }, 'reason'],
      ['a reason with a lone surrogate', { ...valid, reason: 'a\ud800b' }, 'reason'],
      ['outTradeNo missing', { totalFee: 1 }, 'outTradeNo'],
      ['outTradeNo empty', { ...valid, outTradeNo: '' }, 'outTradeNo'],
      ['outTradeNo with a space', { ...valid, outTradeNo: 'T 1' }, 'outTradeNo'],
      ['outTradeNo of 33 characters', { ...valid, outTradeNo: 'T'.repeat(33) }, 'outTradeNo'],
      ['outRefundNo of 65 characters', { ...valid, outRefundNo: 'R'.repeat(65) }, 'outRefundNo'],
      ['outRefundNo with a slash', { ...valid, outRefundNo: 'R/1' }, 'outRefundNo'],
      ['outRefundNo in Chinese', { ...valid, outRefundNo: '退款1' }, 'outRefundNo'],
      ['reason over 80 characters', { ...valid, reason: '退'.repeat(81) }, 'reason'],
      ['transactionId with symbols', { ...valid, transactionId: '42-00' }, 'transactionId'],
      ['an unknown field', { ...valid, currency: 'CNY' }, 'currency'],
    ])('given %s, then 400 naming the field and nothing is written', async (_case, body, field) => {
      const response = await post(body);

      expect(response.statusCode).toBe(400);
      expect(response.headers['content-type']).toContain('application/problem+json');
      expect(response.json()).toMatchObject({ code: 'VALIDATION_FAILED', status: 400 });
      expect(response.json().errors).toEqual(
        expect.arrayContaining([expect.objectContaining({ field })]),
      );
      expect(await t.events.readCategory('refund', { limit: 10 })).toEqual([]);
    });

    it('given amounts of 2,147,483,647 fen and a reason of emoji and Chinese, then 202 and the same values are read back', async () => {
      const body = {
        ...valid,
        totalFee: 2_147_483_647,
        refundFee: 2_147_483_647,
        reason: '退货 😀',
      };
      const response = await post(body);

      expect(response.statusCode).toBe(202);
      const fetched = await t.app.inject({ method: 'GET', url: '/v1/refunds/R1' });
      expect(fetched.json()).toMatchObject(body);
    });

    it('given exactly 80 characters of reason and 64 of outRefundNo with every allowed symbol, then 202', async () => {
      const outRefundNo = `Aa0_-|*@${'x'.repeat(56)}`;
      const response = await post({ ...valid, outRefundNo, reason: '退'.repeat(80) });

      expect(response.statusCode).toBe(202);
      expect(response.headers['location']).toBe(`/v1/refunds/${encodeURIComponent(outRefundNo)}`);
      const fetched = await t.app.inject({ method: 'GET', url: response.headers['location']! });
      expect(fetched.json()).toMatchObject({ outRefundNo });
    });

    it.each([
      ['not JSON', '{"outTradeNo": ', json, 400, 'MALFORMED_JSON'],
      ['an empty body', '', json, 400, 'MALFORMED_JSON'],
      ['a JSON array', '[]', json, 400, 'VALIDATION_FAILED'],
      ['JSON null', 'null', json, 400, 'VALIDATION_FAILED'],
      [
        'text/plain',
        'outTradeNo=T1',
        { 'content-type': 'text/plain' },
        415,
        'UNSUPPORTED_MEDIA_TYPE',
      ],
      [
        'a body over 16 KiB',
        JSON.stringify({ ...valid, reason: 'x'.repeat(20_000) }),
        json,
        413,
        'PAYLOAD_TOO_LARGE',
      ],
    ])(
      'given %s, then the matching problem and nothing is written',
      async (_case, payload, headers, status, code) => {
        const response = await t.app.inject({
          method: 'POST',
          url: '/v1/refunds',
          headers,
          payload,
        });

        expect(response.statusCode).toBe(status);
        expect(response.headers['content-type']).toContain('application/problem+json');
        expect(response.json()).toMatchObject({ status, code });
        expect(await t.events.readCategory('refund', { limit: 10 })).toEqual([]);
      },
    );
  });

  describe('POST /v1/refunds/{outRefundNo}/retry', () => {
    it('given no such refund, then 404 REFUND_NOT_FOUND', async () => {
      const response = await post({}, '/v1/refunds/NOPE/retry');

      expect(response.statusCode).toBe(404);
      expect(response.json()).toMatchObject({ code: 'REFUND_NOT_FOUND' });
    });

    it('given a requested refund, then 409 REFUND_NOT_RETRYABLE and nothing is written', async () => {
      await post(valid);
      const response = await t.app.inject({ method: 'POST', url: '/v1/refunds/R1/retry' });

      expect(response.statusCode).toBe(409);
      expect(response.json()).toMatchObject({ code: 'REFUND_NOT_RETRYABLE' });
      expect(await storedEvents('R1')).toEqual(['RefundRequested']);
    });

    it('given a refund that failed at request (NOTENOUGH), then 202 with a new attempt in REQUESTED', async () => {
      await post(valid);
      await t.handle(failedNotEnoughNow('R1'), gateway);
      const failed = await t.app.inject({ method: 'GET', url: '/v1/refunds/R1' });
      expect(failed.json()).toMatchObject({
        status: 'FAILED',
        failure: { stage: 'request', code: 'NOTENOUGH' },
      });

      const response = await post({}, '/v1/refunds/R1/retry');

      expect(response.statusCode).toBe(202);
      expect(response.json()).toMatchObject({
        ...valid,
        status: 'REQUESTED',
        attempt: 2,
        version: 3,
      });
      expect(response.json()).not.toHaveProperty('failure');
      expect(await storedEvents('R1')).toEqual([
        'RefundRequested',
        'RefundFailed',
        'RefundRequested',
      ]);
    });

    it('given a NOTENOUGH refund whose room in the order another refund took meanwhile, when retried, then 422 REFUND_EXCEEDS_ORDER and nothing is written', async () => {
      await post(valid);
      await t.handle(failedNotEnoughNow('R1'), gateway);
      await t.projected();
      // R1's 19.90 no longer counts against the order of 39.60: 30.00 fits.
      expect((await post({ ...valid, outRefundNo: 'R2', refundFee: 3000 })).statusCode).toBe(202);
      await t.projected();

      const response = await post({}, '/v1/refunds/R1/retry');

      expect(response.statusCode).toBe(422);
      expect(response.json()).toMatchObject({ code: 'REFUND_EXCEEDS_ORDER' });
      expect(await storedEvents('R1')).toEqual(['RefundRequested', 'RefundFailed']);
    });

    it('given a refund that failed at settlement, then 409 REFUND_NOT_RETRYABLE', async () => {
      await post(valid);
      await t.handle(
        {
          type: 'FailRefund',
          data: {
            outRefundNo: 'R1',
            stage: 'settlement',
            code: 'REFUNDCLOSE',
            message: 'closed',
            failedAt: new Date().toISOString(),
          },
        },
        gateway,
      );

      const response = await post({}, '/v1/refunds/R1/retry');

      expect(response.statusCode).toBe(409);
      expect(response.json()).toMatchObject({ code: 'REFUND_NOT_RETRYABLE' });
    });

    it('given an outRefundNo outside the charset, then 400 naming it', async () => {
      const response = await post({}, '/v1/refunds/R%201/retry');

      expect(response.statusCode).toBe(400);
      expect(response.json().errors).toEqual([
        expect.objectContaining({ field: 'outRefundNo', in: 'params' }),
      ]);
    });

    it('given a body with unknown fields, then 400', async () => {
      await post(valid);
      const response = await post({ force: true }, '/v1/refunds/R1/retry');

      expect(response.statusCode).toBe(400);
    });
  });

  describe('GET /v1/refunds/{outRefundNo}', () => {
    it('given no such refund, then a 404 problem', async () => {
      const response = await t.app.inject({ method: 'GET', url: '/v1/refunds/NOPE' });

      expect(response.statusCode).toBe(404);
      expect(response.headers['content-type']).toContain('application/problem+json');
      expect(response.json()).toMatchObject({ code: 'REFUND_NOT_FOUND', status: 404 });
    });

    it('given a 2xx POST, when read right after, then the refund is there', async () => {
      const created = await post(valid);
      const response = await t.app.inject({ method: 'GET', url: '/v1/refunds/R1' });

      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual(created.json());
    });
  });

  describe('GET /v1/refunds/{outRefundNo}/events', () => {
    it('given a refund, then its stream with 64-bit revision and position as decimal strings', async () => {
      await post(valid, '/v1/refunds');
      const response = await t.app.inject({
        method: 'GET',
        url: '/v1/refunds/R1/events',
        headers: { 'x-correlation-id': 'order-service-42' },
      });

      expect(response.statusCode).toBe(200);
      const body = response.json();
      expect(body.stream).toBe('refund-R1');
      expect(body.events).toHaveLength(1);
      expect(body.events[0]).toMatchObject({
        type: 'RefundRequested',
        revision: '0',
        position: expect.stringMatching(/^\d+$/),
        recordedAt: expect.any(String),
        data: { outRefundNo: 'R1', totalFee: 3960, refundFee: 1990, attempt: 1, origin: 'api' },
        metadata: {
          source: 'api',
          schemaVersion: 1,
          correlationId: expect.any(String),
          causationId: expect.any(String),
        },
      });
    });

    it('given a correlation id from the caller, then the events carry it', async () => {
      await t.app.inject({
        method: 'POST',
        url: '/v1/refunds',
        headers: { ...json, 'x-correlation-id': 'after-sales-7781' },
        payload: JSON.stringify(valid),
      });
      const body = (await t.app.inject({ method: 'GET', url: '/v1/refunds/R1/events' })).json();

      expect(body.events[0].metadata.correlationId).toBe('after-sales-7781');
    });

    it('given no such refund, then a 404 problem', async () => {
      const response = await t.app.inject({ method: 'GET', url: '/v1/refunds/NOPE/events' });

      expect(response.statusCode).toBe(404);
      expect(response.json()).toMatchObject({ code: 'REFUND_NOT_FOUND' });
    });
  });
});
