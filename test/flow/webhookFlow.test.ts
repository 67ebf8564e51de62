import { afterEach, describe, expect, it } from 'vitest';
import type { Clock } from '../../src/application/ports/clock.js';
import { eventually } from '../support/eventually.js';
import { startTestService, type Json, type TestService } from '../support/testService.js';
import {
  startWebhookReceiver,
  type Answer,
  type Received,
  type WebhookReceiver,
} from '../support/webhookReceiver.js';

/**
 * Webhooks through the whole service: refunds through the WeChat Pay simulator, deliveries to real
 * HTTP receivers on loopback, every one verified with the standardwebhooks package.
 */
describe('webhook delivery', () => {
  let s: TestService | undefined;
  const receivers: WebhookReceiver[] = [];
  afterEach(async () => {
    await s?.stop();
    s = undefined;
    for (const receiver of receivers.splice(0)) await receiver.close();
  });

  // Attempts time out after WEBHOOK_TIMEOUT_MS's default (15 s), far above what a receiver on
  // loopback takes on a busy machine: an attempt counted twice is a timeout the test asked for.
  const start = async (
    env: NodeJS.ProcessEnv = {},
    { rotationOverlapMs, clock }: { rotationOverlapMs?: number; clock?: Clock } = {},
  ) => {
    s = await startTestService(
      { WEBHOOK_RETRY_SCHEDULE_SECONDS: '0.2,0.2,0.2', ...env },
      {
        webhooks: {
          pollIntervalMs: 200,
          ...(rotationOverlapMs !== undefined && { rotationOverlapMs }),
        },
        ...(clock && { clock }),
      },
    );
    return s;
  };
  const receiver = async (answer?: (request: Received, index: number) => Answer) => {
    const started = await startWebhookReceiver(answer);
    receivers.push(started);
    return started;
  };
  const register = async (url: string, extra: object = {}) => {
    const response = await s!.call('POST', '/v1/webhook-endpoints', { url, ...extra });
    expect(response.status).toBe(201);
    return response.json();
  };
  const refund = async (outRefundNo: string, scenario?: string) => {
    const response = await s!.call('POST', '/v1/refunds', {
      outTradeNo: `T-${outRefundNo}`,
      outRefundNo,
      totalFee: 3960,
      ...(scenario && { reason: `测试 [sandbox:${scenario}]` }),
    });
    expect(response.status).toBe(202);
  };
  const refundNow = async (outRefundNo: string) =>
    (await s!.call('GET', `/v1/refunds/${outRefundNo}`)).json();
  const deliveriesOf = async (endpointId: string) =>
    (await (await s!.call('GET', `/v1/webhook-endpoints/${endpointId}/deliveries`)).json()).data;

  it('given a subscribed endpoint, when a refund succeeds, then requested, accepted and succeeded are delivered, signed, each with the refund as of its event', async () => {
    await start();
    const hooks = await receiver();
    const endpoint = await register(hooks.url, { description: 'orders' });
    expect(endpoint).toMatchObject({
      url: hooks.url,
      eventTypes: ['refund.requested', 'refund.accepted', 'refund.succeeded', 'refund.failed'],
      description: 'orders',
      status: 'enabled',
      secret: expect.stringMatching(/^whsec_/),
    });

    await refund('R-hook');
    await eventually(() => expect(hooks.received).toHaveLength(3));

    const objects = hooks.verified(endpoint.secret);
    expect(objects.map((o: Json) => o.type).sort()).toEqual([
      'refund.accepted',
      'refund.requested',
      'refund.succeeded',
    ]);
    const byVersion = [...objects].sort((a, b) => a.data.object.version - b.data.object.version);
    expect(
      byVersion.map((o: Json) => [o.type, o.data.object.status, o.data.object.version]),
    ).toEqual([
      ['refund.requested', 'REQUESTED', 1],
      ['refund.accepted', 'ACCEPTED', 2],
      ['refund.succeeded', 'SUCCEEDED', 3],
    ]);
    expect(byVersion[2].data.object).toEqual(await refundNow('R-hook'));
    const stored = await s!.events.readStream('refund-R-hook');
    expect(byVersion.map((o: Json) => [o.id, o.createdAt])).toEqual(
      stored.map((e) => [e.id, e.recordedAt]),
    );
    for (const { headers } of hooks.received) {
      expect(headers['content-type']).toBe('application/json');
      expect(String(headers['webhook-signature']).split(' ')).toHaveLength(1);
    }
    // The feed answers the same event objects.
    const feed = await (await s!.call('GET', '/v1/events')).json();
    expect(feed.data).toEqual(byVersion);

    await eventually(async () => {
      const deliveries = await deliveriesOf(endpoint.id);
      expect(deliveries).toHaveLength(3);
      for (const delivery of deliveries) {
        expect(delivery).toMatchObject({
          status: 'succeeded',
          attempts: 1,
          lastStatusCode: 204,
          nextAttemptAt: null,
        });
      }
    });
    const answer = await s!.call('GET', `/v1/webhook-endpoints/${endpoint.id}`);
    expect(JSON.stringify(await answer.json())).not.toContain(endpoint.secret);
  });

  it('given NOTENOUGH and a retry, then requested, failed, requested, accepted, succeeded; an endpoint for refund.failed only hears the failure', async () => {
    await start();
    const all = await receiver();
    const failures = await receiver();
    const everything = await register(all.url);
    const failedOnly = await register(failures.url, { eventTypes: ['refund.failed'] });

    await refund('R-ne', 'NOTENOUGH');
    await eventually(async () => expect((await refundNow('R-ne')).status).toBe('FAILED'));
    expect((await s!.call('POST', '/v1/refunds/R-ne/retry')).status).toBe(202);
    await eventually(() => expect(all.received).toHaveLength(5));

    const ordered = all
      .verified(everything.secret)
      .sort((a: Json, b: Json) => a.data.object.version - b.data.object.version);
    expect(ordered.map((o: Json) => o.type)).toEqual([
      'refund.requested',
      'refund.failed',
      'refund.requested',
      'refund.accepted',
      'refund.succeeded',
    ]);
    expect(ordered[1].data.object).toMatchObject({
      status: 'FAILED',
      failure: { code: 'NOTENOUGH' },
      attempt: 1,
    });
    expect(ordered[2].data.object).toMatchObject({ status: 'REQUESTED', attempt: 2 });
    await eventually(() => expect(failures.received).toHaveLength(1));
    expect(failures.verified(failedOnly.secret)[0]).toMatchObject({
      type: 'refund.failed',
      id: ordered[1].id,
    });
  });

  it('given a receiver answering 500 then 200, then the event is tried again on schedule with the same webhook-id, and delivered', async () => {
    await start({ WEBHOOK_RETRY_SCHEDULE_SECONDS: '0.3,0.3' });
    const hooks = await receiver((_request, index) => ({ status: index === 0 ? 500 : 200 }));
    const endpoint = await register(hooks.url, { eventTypes: ['refund.requested'] });

    await refund('R-500');
    await eventually(() => expect(hooks.received).toHaveLength(2));

    const [first, second] = hooks.received;
    expect(second!.headers['webhook-id']).toBe(first!.headers['webhook-id']);
    // 0.3 s ±10%, and each attempt is signed at its own time.
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(250);
    expect(hooks.verified(endpoint.secret)).toHaveLength(2);
    await eventually(async () =>
      expect(await deliveriesOf(endpoint.id)).toEqual([
        expect.objectContaining({
          status: 'succeeded',
          attempts: 2,
          lastStatusCode: 200,
          eventType: 'refund.requested',
          outRefundNo: 'R-500',
        }),
      ]),
    );
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect(hooks.received).toHaveLength(2);
  });

  it('given a receiver that always fails, then the delivery is failed when the schedule ends, and recover tries it again with the same webhook-id', async () => {
    await start({ WEBHOOK_RETRY_SCHEDULE_SECONDS: '0.1,0.1' });
    let healthy = false;
    const hooks = await receiver(() => ({ status: healthy ? 200 : 503 }));
    const endpoint = await register(hooks.url, { eventTypes: ['refund.requested'] });
    const since = new Date().toISOString();

    await refund('R-dead');
    await eventually(async () =>
      expect(await deliveriesOf(endpoint.id)).toEqual([
        expect.objectContaining({ status: 'failed', attempts: 3, lastStatusCode: 503 }),
      ]),
    );
    expect(hooks.received).toHaveLength(3);

    healthy = true;
    const recovered = await s!.call('POST', `/v1/webhook-endpoints/${endpoint.id}/recover`, {
      since,
    });
    expect(recovered.status).toBe(202);
    await eventually(async () =>
      expect(await deliveriesOf(endpoint.id)).toEqual([
        expect.objectContaining({ status: 'succeeded', attempts: 4, lastStatusCode: 200 }),
      ]),
    );
    expect(new Set(hooks.received.map((r) => r.headers['webhook-id'])).size).toBe(1);
  });

  it('given a receiver answering 410, then the endpoint is disabled and hears nothing more', async () => {
    await start();
    const hooks = await receiver(() => ({ status: 410 }));
    const endpoint = await register(hooks.url, { eventTypes: ['refund.requested'] });

    await refund('R-gone');
    await eventually(async () =>
      expect(
        (await (await s!.call('GET', `/v1/webhook-endpoints/${endpoint.id}`)).json()).status,
      ).toBe('disabled'),
    );
    expect(await deliveriesOf(endpoint.id)).toEqual([
      expect.objectContaining({ status: 'failed', attempts: 1, lastStatusCode: 410 }),
    ]);
    await refund('R-gone-2');
    await eventually(async () => expect((await refundNow('R-gone-2')).status).toBe('SUCCEEDED'));
    expect(hooks.received).toHaveLength(1);
  });

  it('given Retry-After, then the next attempt waits for it rather than the shorter schedule', async () => {
    await start({ WEBHOOK_RETRY_SCHEDULE_SECONDS: '0.1,5' });
    const hooks = await receiver((_r, index) =>
      index === 0 ? { status: 429, headers: { 'retry-after': '1' } } : { status: 200 },
    );
    await register(hooks.url, { eventTypes: ['refund.requested'] });

    await refund('R-later');
    await eventually(() => expect(hooks.received).toHaveLength(2));

    expect(hooks.received[1]!.at - hooks.received[0]!.at).toBeGreaterThanOrEqual(950);
  });

  it('given a receiver that does not answer in time, then the attempt counts as failed (no status) and the next one delivers', async () => {
    // The first answer never comes in time; the second comes at once, well within the timeout
    // even on a busy machine.
    await start({ WEBHOOK_TIMEOUT_MS: '5000' });
    const hooks = await receiver((_r, index) => ({
      status: 200,
      delayMs: index === 0 ? 60_000 : 0,
    }));
    const endpoint = await register(hooks.url, { eventTypes: ['refund.requested'] });

    await refund('R-slow');
    await eventually(() => expect(hooks.received).toHaveLength(2));
    await eventually(async () =>
      expect(await deliveriesOf(endpoint.id)).toEqual([
        expect.objectContaining({ status: 'succeeded', attempts: 2, lastStatusCode: 200 }),
      ]),
    );
  });

  it('given a dead endpoint that times out, then a live endpoint still hears every event at once', async () => {
    // The dead endpoint's attempts end only when they time out, a minute after they start.
    await start({ WEBHOOK_TIMEOUT_MS: '60000' });
    const dead = await receiver(() => ({ status: 200, delayMs: 120_000 }));
    const live = await receiver();
    const deadEndpoint = await register(dead.url, { eventTypes: ['refund.requested'] });
    const liveEndpoint = await register(live.url, { eventTypes: ['refund.requested'] });

    await Promise.all(Array.from({ length: 24 }, (_, i) => refund(`R-fan-${i}`)));
    // The dead endpoint's lane is full: 8 attempts in flight, the most one endpoint gets.
    await eventually(() => expect(dead.received).toHaveLength(8));
    await eventually(() => expect(live.received).toHaveLength(24));

    // Had the dead endpoint held up the live one, the live deliveries would have waited for its
    // attempts to time out; none of them has ended yet.
    const deadDeliveries = (
      await (
        await s!.call('GET', `/v1/webhook-endpoints/${deadEndpoint.id}/deliveries?limit=100`)
      ).json()
    ).data;
    expect(deadDeliveries).toHaveLength(24);
    expect(deadDeliveries.filter((delivery: Json) => delivery.attempts > 0)).toEqual([]);
    expect(dead.received).toHaveLength(8);
    expect(live.verified(liveEndpoint.secret)).toHaveLength(24);
    // Its attempts fail now, so the service stops without waiting for their timeout.
    await dead.close();
  });

  it('given a rotated secret, then during the overlap both secrets verify, and after it only the new one', async () => {
    // The service's clock, moved past the overlap when the test says so: no waiting, and no
    // delivery that happens to be slow falls out of the overlap.
    let skewMs = 0;
    const clock: Clock = { now: () => new Date(Date.now() + skewMs) };
    const overlapMs = 60_000;
    await start({}, { rotationOverlapMs: overlapMs, clock });
    const hooks = await receiver();
    const endpoint = await register(hooks.url, { eventTypes: ['refund.requested'] });
    const rotated = await s!.call('POST', `/v1/webhook-endpoints/${endpoint.id}/rotate-secret`);
    expect(rotated.status).toBe(200);
    const { secret } = await rotated.json();
    expect(secret).toMatch(/^whsec_/);
    expect(secret).not.toBe(endpoint.secret);

    await refund('R-rot-1');
    await eventually(() => expect(hooks.received).toHaveLength(1));
    expect(String(hooks.received[0]!.headers['webhook-signature']).split(' ')).toHaveLength(2);
    expect(hooks.verified(secret)).toHaveLength(1);
    expect(hooks.verified(endpoint.secret)).toHaveLength(1);

    // Past the overlap (and well within the receivers' five-minute timestamp tolerance).
    skewMs = overlapMs + 1000;
    await refund('R-rot-2');
    await eventually(() => expect(hooks.received).toHaveLength(2));
    hooks.received.shift();
    expect(hooks.verified(secret)).toHaveLength(1);
    expect(() => hooks.verified(endpoint.secret)).toThrow();
  });
});
