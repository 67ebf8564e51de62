import { describe, expect, it } from 'vitest';
import { testAppPerTest } from '../../support/fixtures.js';

const token = 'tok_live_9f8e7d6c5b4a39281706';
const other = 'tok_ops_0123456789abcdef0123';
const body = JSON.stringify({ outTradeNo: 'T1', totalFee: 100 });

describe('bearer tokens on /v1', () => {
  const t = testAppPerTest({ apiTokens: [token, other] });

  const post = (authorization?: string, url = '/v1/refunds') =>
    t.app.inject({
      method: 'POST',
      url,
      headers: { 'content-type': 'application/json', ...(authorization && { authorization }) },
      payload: body,
    });

  it.each([
    ['no Authorization header', undefined],
    ['a wrong token', `Bearer ${token}x`],
    ['a prefix of the token', `Bearer ${token.slice(0, 10)}`],
    ['another scheme', `Basic ${token}`],
    ['an empty bearer', 'Bearer '],
  ])(
    'given %s, when posting a refund, then 401 problem and nothing is written',
    async (_case, authorization) => {
      const response = await post(authorization);

      expect(response.statusCode).toBe(401);
      expect(response.headers['content-type']).toContain('application/problem+json');
      expect(response.headers['www-authenticate']).toContain('Bearer');
      expect(response.json()).toMatchObject({ status: 401, code: 'UNAUTHORIZED' });
      expect(response.body).not.toContain(token);
      expect(await t.events.readCategory('refund', { limit: 10 })).toEqual([]);
    },
  );

  it.each([
    ['POST', '/v1/refunds/T1/retry'],
    ['GET', '/v1/refunds/T1'],
    ['GET', '/v1/refunds/T1/events'],
  ] as const)('given no token, when calling %s %s, then 401', async (method, url) => {
    const response = await t.app.inject({ method, url });
    expect(response.statusCode).toBe(401);
  });

  it('given any of the configured tokens, then the request goes through', async () => {
    expect((await post(`Bearer ${token}`)).statusCode).toBe(202);
    expect((await post(`bearer ${other}`)).statusCode).toBe(200);
  });

  it('given no token, then health, readiness and the API description stay open', async () => {
    for (const url of ['/healthz', '/readyz', '/openapi.json', '/metrics']) {
      expect((await t.app.inject({ method: 'GET', url })).statusCode, url).toBe(200);
    }
  });
});
