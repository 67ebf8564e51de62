import { describe, expect, it } from 'vitest';
import {
  deliveryAfterAttempt,
  signingSecrets,
} from '../../../src/application/webhooks/deliveryAfterAttempt.js';
import type { WebhookDelivery } from '../../../src/application/webhooks/webhookStore.js';

const now = new Date('2026-11-30T08:00:00.000Z');
const pending: WebhookDelivery = {
  id: 'd1',
  endpointId: 'ep1',
  eventId: 'evt_1',
  eventType: 'refund.succeeded',
  outRefundNo: 'R1',
  createdAt: '2026-11-30T07:59:00.000Z',
  payload: '{}',
  status: 'pending',
  attempts: 0,
  roundAttempts: 0,
  lastAttemptAt: null,
  lastStatusCode: null,
  nextAttemptAt: null,
  dueAt: '2026-11-30T08:00:30.000Z',
  version: 2,
};
// No jitter: 0.5 puts the delay exactly on the schedule.
const options = { now, scheduleMs: [5_000, 300_000], random: () => 0.5 };

describe('deliveryAfterAttempt', () => {
  it('given a 2xx answer, when recorded, then the delivery succeeded and is due no more', () => {
    const { next, outcome, retryInMs } = deliveryAfterAttempt(
      pending,
      { kind: 'answered', status: 204 },
      options,
    );
    expect(outcome).toBe('succeeded');
    expect(retryInMs).toBeUndefined();
    expect(next).toMatchObject({
      status: 'succeeded',
      attempts: 1,
      lastStatusCode: 204,
      lastAttemptAt: now.toISOString(),
      nextAttemptAt: null,
      version: 3,
    });
  });

  it('given a 410 answer, when recorded, then the delivery failed and the endpoint is to be disabled', () => {
    const { next, outcome } = deliveryAfterAttempt(
      pending,
      { kind: 'answered', status: 410 },
      options,
    );
    expect(outcome).toBe('disabled');
    expect(next.status).toBe('failed');
  });

  it('given no answer on the first attempt, when recorded, then it is due again after the first delay', () => {
    const { next, outcome, retryInMs } = deliveryAfterAttempt(
      pending,
      { kind: 'failed', reason: 'timeout' },
      options,
    );
    expect(outcome).toBe('retry');
    expect(retryInMs).toBe(5_000);
    expect(next).toMatchObject({
      status: 'pending',
      lastStatusCode: null,
      nextAttemptAt: '2026-11-30T08:00:05.000Z',
      dueAt: '2026-11-30T08:00:05.000Z',
    });
  });

  it('given a 503 with Retry-After beyond the schedule, when recorded, then it waits the longest delay of the schedule', () => {
    const { retryInMs } = deliveryAfterAttempt(
      pending,
      { kind: 'answered', status: 503, retryAfterMs: 3_600_000 },
      options,
    );
    expect(retryInMs).toBe(300_000);
  });

  it('given the schedule spent, when another attempt fails, then the delivery failed', () => {
    const { next, outcome } = deliveryAfterAttempt(
      { ...pending, attempts: 2, roundAttempts: 2 },
      { kind: 'answered', status: 500 },
      options,
    );
    expect(outcome).toBe('failed');
    expect(next).toMatchObject({ status: 'failed', attempts: 3, nextAttemptAt: null });
  });
});

describe('signingSecrets', () => {
  const endpoint = {
    secret: 'whsec_new',
    previousSecret: 'whsec_old',
    previousSecretExpiresAt: '2026-12-01T08:00:00.000Z',
  };
  it('given a rotation within its overlap, then both secrets sign', () => {
    expect(signingSecrets(endpoint, now.toISOString())).toEqual(['whsec_new', 'whsec_old']);
  });
  it('given the overlap over, then only the new secret signs', () => {
    expect(signingSecrets(endpoint, '2026-12-01T08:00:00.001Z')).toEqual(['whsec_new']);
  });
});
