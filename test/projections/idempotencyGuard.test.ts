import { describe, expect, it } from 'vitest';
import { refundTerms, requestFingerprint } from '../../src/domain/index.js';
import { evolveGuard, idempotencyGuardProjection } from '../../src/projections/idempotencyGuard.js';
import {
  refundAccepted,
  refundFailed,
  refundId,
  refundRequested,
  refundSucceeded,
  terms,
} from '../domain/refund/refundFixtures.js';

describe('idempotency guard', () => {
  it('given nothing, when RefundRequested, then the request is known by outRefundNo with its fingerprint', () => {
    const event = refundRequested();
    expect(idempotencyGuardProjection.documentId(event)).toBe('request:R1');
    expect(evolveGuard(null, event)).toEqual({
      kind: 'request',
      outRefundNo: 'R1',
      fingerprint: requestFingerprint(refundTerms(terms)),
    });
  });

  it('given a known request, when a retry requests it again, then the entry stays as it was', () => {
    const entry = evolveGuard(null, refundRequested());
    expect(evolveGuard(entry, refundRequested({ attempt: 2 }))).toBe(entry);
  });

  it('given nothing, when RefundSucceeded, then the SUCCESS notification of that refund id is known', () => {
    const event = refundSucceeded();
    expect(idempotencyGuardProjection.documentId(event)).toBe(`notification:${refundId}:SUCCESS`);
    expect(evolveGuard(null, event)).toEqual({
      kind: 'notification',
      outRefundNo: 'R1',
      refundId,
      refundStatus: 'SUCCESS',
    });
  });

  it('given nothing, when RefundFailed from a settlement notification, then that status of that refund id is known', () => {
    const event = refundFailed('settlement', 'REFUNDCLOSE', { refundId });
    expect(idempotencyGuardProjection.documentId(event)).toBe(
      `notification:${refundId}:REFUNDCLOSE`,
    );
    expect(evolveGuard(null, event)).toMatchObject({
      kind: 'notification',
      refundStatus: 'REFUNDCLOSE',
    });
  });

  it('given RefundFailed at request (no notification behind it), then nothing is recorded', () => {
    expect(
      idempotencyGuardProjection.documentId(refundFailed('request', 'NOTENOUGH')),
    ).toBeUndefined();
  });

  it('given RefundAccepted, then nothing is recorded', () => {
    expect(idempotencyGuardProjection.documentId(refundAccepted())).toBeUndefined();
    expect(evolveGuard(null, refundAccepted())).toBeNull();
  });
});
