import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { buildHttpApp } from '../../../src/infrastructure/http/buildHttpApp.js';
import type { RefundApi } from '../../../src/infrastructure/http/refundApi.js';
import { createMetrics } from '../../../src/infrastructure/observability/metrics.js';

const nothing = async () => undefined;
/** The routes' view of refunds where there are none (the routes are not what is tested here). */
const noRefunds: RefundApi = {
  requestRefund: async () => {
    throw new Error('not here');
  },
  retryRefund: async () => {
    throw new Error('not here');
  },
  getRefund: nothing,
  listRefunds: async () => ({ data: [], hasMore: false, nextCursor: null }),
  getOrderRefunds: nothing,
  getRefundEvents: nothing,
};

describe('answers reported to the API load', () => {
  it('given requests to the API, the notify routes and the operations routes, then only the API and notify answers are reported, each with its time', async () => {
    const answered: number[] = [];
    const app = await buildHttpApp({
      logger: pino({ level: 'silent' }),
      apiTokens: ['token'],
      refunds: noRefunds,
      readiness: async () => ({ ready: true, checks: {}, corruptStreams: [] }),
      metrics: createMetrics(),
      plugins: [async (scope) => void scope.post('/wechat/ping', async () => 'pong')],
      onAnswered: (elapsedMs) => answered.push(elapsedMs),
    });

    for (const url of ['/metrics', '/healthz', '/readyz']) await app.inject({ url });
    expect(answered).toEqual([]);

    const refund = await app.inject({
      url: '/v1/refunds/R1',
      headers: { authorization: 'Bearer token' },
    });
    const refused = await app.inject({ url: '/v1/refunds/R1' });
    const notified = await app.inject({ method: 'POST', url: '/wechat/ping' });

    expect([refund.statusCode, refused.statusCode, notified.statusCode]).toEqual([404, 401, 200]);
    expect(answered).toHaveLength(3);
    for (const ms of answered) expect(ms).toBeGreaterThanOrEqual(0);
    await app.close();
  });
});
