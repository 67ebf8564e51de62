import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  anyJson,
  fieldChange,
  fuzzRuns,
  fuzzTimeoutMs,
  nastyText,
  percentEncoded,
  startFuzzedService,
  withChanges,
  type FuzzedService,
} from './support/httpFuzz.js';
import { failedNotEnoughNow } from '../../domain/refund/refundFixtures.js';

const tradeNos = ['T1', 'T2', 'T-3'];
const refundNos = ['R1', 'R2', 'R3', 'T1', 'F1', 'F2', 'F3'];
const fields = ['outTradeNo', 'outRefundNo', 'totalFee', 'refundFee', 'reason', 'transactionId'];

const merchantNo = fc.stringMatching(/^[0-9A-Za-z_\-|*@]{1,8}$/);

/** Bodies the API takes, on a few orders and refunds so that repeats and conflicts happen. */
const validBody = fc.record(
  {
    outTradeNo: fc.oneof(fc.constantFrom(...tradeNos), merchantNo),
    outRefundNo: fc.oneof(fc.constantFrom(...refundNos), merchantNo),
    totalFee: fc.oneof(fc.constantFrom(100, 3960), fc.integer({ min: 1, max: 2_147_483_647 })),
    refundFee: fc.integer({ min: 1, max: 100 }),
    reason: fc.string({ maxLength: 80 }),
    transactionId: fc.stringMatching(/^[0-9A-Za-z]{1,32}$/),
  },
  { requiredKeys: ['outTradeNo', 'totalFee'] },
);

/** A field dropped, or set (an unknown or a prototype-polluting key too) to any JSON value. */
const mutatedBody = fc
  .tuple(
    validBody,
    fc.array(
      fieldChange(
        [...fields, 'unknown', '__proto__', 'constructor'].map((field) => [field]),
        anyJson(),
      ),
      { minLength: 1, maxLength: 3 },
    ),
  )
  .map(([body, changes]) => withChanges(body, changes));

/** What arrives as the body: JSON of any shape, cut short, not JSON at all, or JSON's corners. */
const payload = fc.oneof(
  { weight: 3, arbitrary: validBody.map((body) => JSON.stringify(body)) },
  { weight: 5, arbitrary: mutatedBody.map((body) => JSON.stringify(body)) },
  { weight: 1, arbitrary: anyJson().map((value) => JSON.stringify(value) ?? '') },
  {
    weight: 1,
    arbitrary: fc
      .tuple(
        validBody.map((body) => JSON.stringify(body)),
        fc.nat(),
      )
      .map(([text, cut]) => text.slice(0, cut % text.length)),
  },
  { weight: 1, arbitrary: nastyText() },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '{"outTradeNo":"T1","totalFee":1e400}',
      '{"outTradeNo":"T1","totalFee":100,"totalFee":-5}',
      '{"outTradeNo":"T1","totalFee":1E2}',
      '{"outTradeNo":"T1","totalFee":100.0}',
      '{"outTradeNo":"T1","totalFee":-0}',
      '{"outTradeNo":"T1","totalFee":100,"__proto__":{"refundFee":1}}',
      '{"outTradeNo":"T1","totalFee":100,"constructor":{"prototype":{"x":1}}}',
      '{"outTradeNo":"T\\u0000","totalFee":100}',
      '{"outTradeNo":"T1","totalFee":100,"reason":"\\ud800"}',
      '[]',
      'null',
      '',
    ),
  },
);

const contentType = fc.constantFrom(
  'application/json',
  'application/json; charset=utf-8',
  'text/plain',
  'application/x-www-form-urlencoded',
  'application/json; charset=latin1',
  undefined,
);

/** A path segment as a client may send it: encoded or not, a real id, or anything. */
const pathId = fc.oneof(
  fc.constantFrom(...refundNos, ...tradeNos),
  merchantNo,
  nastyText().map(percentEncoded),
  fc.constantFrom('%', '%zz', '..', '%2e%2e', '%2F', 'R1%2FR2', 'R1?x=1', 'R1#x', '%C0%AF', ''),
);

const headersOf = (type: string | undefined) =>
  type === undefined ? {} : { 'content-type': type };

describe('the refund API under random and mutated input', () => {
  let s: FuzzedService;
  beforeAll(async () => {
    s = await startFuzzedService();
    // Refunds that failed at request, so that retries can succeed too.
    for (const outRefundNo of ['F1', 'F2', 'F3']) {
      await s.send({
        method: 'POST',
        url: '/v1/refunds',
        payload: { outTradeNo: `T-${outRefundNo}`, outRefundNo, totalFee: 100 },
      });
      await s.handle(failedNotEnoughNow(outRefundNo), {
        correlationId: 'fuzz',
        causationId: 'fuzz',
        source: 'gateway',
      });
    }
  });
  afterAll(() => s.close());

  it(
    'given random and mutated bodies for POST /v1/refunds, then never a 5xx, nothing written when refused, and a clean audit',
    async () => {
      const statuses = new Set<number>();
      await fc.assert(
        fc.asyncProperty(payload, contentType, fc.boolean(), async (body, type, repeat) => {
          const request = {
            method: 'POST',
            url: '/v1/refunds',
            headers: headersOf(type),
            payload: body,
          } as const;
          const response = await s.send(request);
          statuses.add(response.statusCode);
          if (repeat && response.statusCode < 300) {
            // An identical request repeated: answered from what is recorded, nothing written.
            const again = await s.send(request);
            expect(again.statusCode).toBe(200);
            expect(again.json()).toMatchObject({ version: response.json().version });
            statuses.add(again.statusCode);
          }
        }),
        fuzzRuns(1000),
      );
      // The inputs reached every answer of the route, not only its validation.
      expect([...statuses].sort()).toEqual(expect.arrayContaining([200, 202, 400, 409, 422]));
      await s.expectAuditClean();
    },
    fuzzTimeoutMs,
  );

  it(
    'given random ids and bodies for POST /v1/refunds/{id}/retry, then never a 5xx, nothing written when refused, and a clean audit',
    async () => {
      const statuses = new Set<number>();
      await fc.assert(
        fc.asyncProperty(
          pathId,
          fc.option(payload, { nil: undefined }),
          contentType,
          async (id, body, type) => {
            const response = await s.send({
              method: 'POST',
              url: `/v1/refunds/${id}/retry`,
              ...(body !== undefined && { headers: headersOf(type), payload: body }),
            });
            statuses.add(response.statusCode);
          },
        ),
        fuzzRuns(400),
      );
      expect([...statuses].sort()).toEqual(expect.arrayContaining([202, 400, 404, 409]));
      await s.expectAuditClean();
    },
    fuzzTimeoutMs,
  );

  it(
    'given random path ids and list queries for the GET routes, then never a 5xx',
    async () => {
      const query = fc.dictionary(
        fc.oneof(
          fc.constantFrom('status', 'failureCode', 'outTradeNo', 'from', 'to', 'limit', 'cursor'),
          nastyText(),
        ),
        fc.oneof(nastyText(), fc.constantFrom('FAILED', '2026-01-01T00:00:00Z', '0', '101', '20')),
        { maxKeys: 4 },
      );
      const request = fc.oneof(
        pathId.map((id) => `/v1/refunds/${id}`),
        pathId.map((id) => `/v1/refunds/${id}/events`),
        pathId.map((id) => `/v1/orders/${id}/refunds`),
        query.map(
          (params) =>
            `/v1/refunds?${Object.entries(params)
              .map(([key, value]) => `${percentEncoded(key)}=${percentEncoded(value)}`)
              .join('&')}`,
        ),
      );
      await fc.assert(
        fc.asyncProperty(request, async (url) => {
          await s.send({ method: 'GET', url });
        }),
        fuzzRuns(500),
      );
    },
    fuzzTimeoutMs,
  );
});
