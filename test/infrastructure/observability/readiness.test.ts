import { describe, expect, it } from 'vitest';
import type { StoreHealth } from '../../../src/application/ports/storeHealth.js';
import { readinessOf } from '../../../src/infrastructure/observability/readiness.js';
import type { ProjectionStatus } from '../../../src/projections/startProjection.js';

const status = (name: string, overrides: Partial<ProjectionStatus> = {}): ProjectionStatus => ({
  name,
  generation: 1,
  position: 7n,
  head: 7n,
  caughtUp: true,
  secondsBehind: 0,
  ...overrides,
});

const up = new Map<string, StoreHealth>([
  ['eventStore', { ok: true }],
  ['readStore', { ok: true }],
]);

describe('readiness', () => {
  it('given every store up and every projection caught up, then ready, with one check each', () => {
    expect(readinessOf(up, [status('refund_view'), status('order_ledger')], [])).toEqual({
      ready: true,
      checks: {
        eventStore: 'ok',
        readStore: 'ok',
        'projection:refund_view': 'ok',
        'projection:order_ledger': 'ok',
      },
      corruptStreams: [],
    });
  });

  it('given a store down, a projection failing and one catching up, then not ready, each check a stable code and no detail', () => {
    const stores = new Map<string, StoreHealth>([
      ['eventStore', { ok: true }],
      ['readStore', { ok: false, reason: 'MongoDB at mongodb://db:27017 unreachable' }],
    ]);
    const projections = [
      status('refund_view', { lastError: 'store unavailable', caughtUp: false }),
      status('order_ledger', { caughtUp: false, position: 3n }),
    ];

    expect(readinessOf(stores, projections, [])).toEqual({
      ready: false,
      checks: {
        eventStore: 'ok',
        readStore: 'unreachable',
        'projection:refund_view': 'failing',
        'projection:order_ledger': 'catching_up',
      },
      corruptStreams: [],
    });
  });

  it('given only a projection catching up, then not ready', () => {
    expect(readinessOf(up, [status('refund_view', { caughtUp: false })], []).ready).toBe(false);
  });

  it('given events that cannot be read, then still ready, naming their streams', () => {
    const corrupt = [
      { stream: 'refund-R7', revision: '2', position: '9', type: 'RefundSucceeded' },
    ];

    expect(readinessOf(up, [status('refund_view')], corrupt)).toMatchObject({
      ready: true,
      corruptStreams: ['refund-R7'],
    });
  });
});
