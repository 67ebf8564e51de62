import { serializerCompiler as zodSerializerCompiler } from 'fastify-type-provider-zod';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { compiledSerializers } from '../../../src/infrastructure/http/compiledSerializers.js';
import {
  orderRefundsSchema,
  refundResourceSchemas,
} from '../../../src/infrastructure/http/refundSchemas.js';
import type { RefundView } from '../../../src/projections/refundView.js';
import { testAppPerTest } from '../../support/fixtures.js';

type Route = Parameters<typeof zodSerializerCompiler>[0];
const routeOf = (schema: z.ZodType): Route => ({
  schema,
  method: 'GET',
  url: '/v1/refunds/:outRefundNo',
  httpStatus: '200',
});

const texts = [
  '商品已退货',
  'say "no" \\ back\nslash\ttab',
  'line\u2028separator\u2029and é ñ 🎉',
  'lone \ud800 surrogate',
  `long ${'退'.repeat(60)} "quoted" ${'x'.repeat(60)}`,
  '</script><b>&amp;</b>',
];

/** Refund views of every shape: each status, each optional field present and absent, odd text. */
const views = (): Record<string, unknown>[] => {
  const all: Record<string, unknown>[] = [];
  texts.forEach((text, i) => {
    for (const status of ['REQUESTED', 'ACCEPTED', 'SUCCEEDED', 'FAILED'] as const) {
      const base: RefundView = {
        outRefundNo: `R${i}`,
        outTradeNo: `T${i}`,
        totalFee: 2_147_483_647,
        refundFee: 1,
        status,
        origin: i % 2 === 0 ? 'api' : 'wechat',
        attempt: i + 1,
        requestedAt: '2026-11-28T08:24:10.000Z',
        updatedAt: '2026-11-28T08:24:13.000Z',
        version: 3,
      };
      all.push(base);
      const full: RefundView = {
        ...base,
        transactionId: '4200000001202611280000000001',
        reason: text,
        refundAccount: 'REFUND_SOURCE_RECHARGE_FUNDS',
        refundId: '50000000012026112800000001',
        settlementRefundFee: 0,
        refundRecvAccount: text,
        successTime: '2026-11-28T16:24:13+08:00',
        failure: { stage: 'settlement', code: 'REFUNDCLOSE', message: text },
      };
      all.push(full);
      // The same fields in another order, and fields the resource does not name.
      all.push({
        extra: 'not in the resource',
        ...Object.fromEntries(Object.entries(full).reverse()),
        failure: { message: text, note: 'dropped', code: 'NOTENOUGH', stage: 'request' },
      });
    }
  });
  return all;
};

describe('compiled serializers', () => {
  it('given refund views of every shape, when written by the compiled serializer, then the bytes are those of the zod serializer', () => {
    const compiled = compiledSerializers(refundResourceSchemas);
    for (const schema of refundResourceSchemas) {
      const fast = compiled(routeOf(schema));
      const zod = zodSerializerCompiler(routeOf(schema));
      for (const view of views()) expect(fast(view)).toBe(zod(view));
    }
  });

  it('given a schema it was not given, then the answer is written by the zod serializer (validated)', () => {
    const serializer = compiledSerializers(refundResourceSchemas)(routeOf(orderRefundsSchema));

    expect(() => serializer({ outTradeNo: 'T1', totalFee: '3960' })).toThrow();
    const order = { outTradeNo: 'T1', totalFee: 3960, refundedFee: 0, pendingFee: 0, refunds: [] };
    expect(serializer(order)).toBe(zodSerializerCompiler(routeOf(orderRefundsSchema))(order));
  });

  describe('through the service', () => {
    const t = testAppPerTest();

    it('given refunds requested, when answered by POST and GET, then each answer is byte for byte the zod serializer of the refund resource', async () => {
      const zod = zodSerializerCompiler(routeOf(refundResourceSchemas[0]));
      // Reasons the API takes (no control characters), with quotes, escapes and non-ASCII text.
      const reasons = ['商品已退货', 'say "no" \\ back', 'line\u2028separator é 🎉'];
      for (const [i, reason] of reasons.entries()) {
        const body = { outTradeNo: `T${i}`, outRefundNo: `R${i}`, totalFee: 3960, reason };
        const posted = await t.app.inject({
          method: 'POST',
          url: '/v1/refunds',
          headers: { 'content-type': 'application/json' },
          payload: JSON.stringify(body),
        });
        const read = await t.app.inject({ method: 'GET', url: `/v1/refunds/R${i}` });

        expect(posted.statusCode).toBe(202);
        expect(read.statusCode).toBe(200);
        expect(posted.payload).toBe(zod(JSON.parse(posted.payload)));
        expect(read.payload).toBe(zod(JSON.parse(read.payload)));
        expect(JSON.parse(read.payload)).toMatchObject({ ...body, status: 'REQUESTED' });
      }
    });
  });
});
