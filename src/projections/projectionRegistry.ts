import type { JsonObject } from '../application/ports/eventStore.js';
import { billExpectationProjection } from './billExpectation.js';
import { idempotencyGuardProjection } from './idempotencyGuard.js';
import { orderLedgerProjection } from './orderLedger.js';
import type { Projection } from './projection.js';
import { refundViewProjection } from './refundViewProjection.js';
import { launchProjection, type ProjectionDeps, type ProjectionStatus } from './startProjection.js';

/**
 * Every read model of the service. main.ts runs each one (launchProjections), `refunds
 * projections rebuild` rebuilds them by name and the audit replays the audited ones, all from
 * here: a new read model is one more entry (the compiler then asks for it in the three lists below),
 * plus the queries that read it.
 */
export const projectionRegistry = {
  refundView: refundViewProjection,
  orderLedger: orderLedgerProjection,
  idempotencyGuard: idempotencyGuardProjection,
  billExpectation: billExpectationProjection,
};

type Registered<T> = Record<keyof typeof projectionRegistry, T>;

/** Runs a step on each projection, with its own document type, in the registry's order. */
export const eachProjection = <R>(
  step: <D extends JsonObject>(projection: Projection<D>) => R,
): R[] => {
  const { refundView, orderLedger, idempotencyGuard, billExpectation } = projectionRegistry;
  return Object.values({
    refundView: step(refundView),
    orderLedger: step(orderLedger),
    idempotencyGuard: step(idempotencyGuard),
    billExpectation: step(billExpectation),
  } satisfies Registered<R>);
};

export const projectionNames: readonly string[] = eachProjection((projection) => projection.name);

/** What an audited read model's documents belong to: a refund (data.outRefundNo) or an order (data.outTradeNo). */
export type AuditKey = 'refund' | 'order';

/**
 * Runs a step on each read model the audit replays and compares with the stored one, with what
 * its documents belong to: the audit reads the log one order at a time, so each document must
 * belong to one refund or one order. The ones the API answers from (the README's audit compares
 * the refund view and the order ledger), not the indexes that serve one job: the idempotency
 * guard only answers duplicates, and the bill reconciliation reads the stream of any refund its
 * bill_expectation index cannot settle.
 */
export const eachAudited = <R>(
  step: <D extends JsonObject>(projection: Projection<D>, keyedBy: AuditKey) => R,
): R[] => {
  const { refundView, orderLedger } = projectionRegistry;
  const audited = {
    refundView: step(refundView, 'refund'),
    orderLedger: step(orderLedger, 'order'),
    idempotencyGuard: undefined,
    billExpectation: undefined,
  } satisfies Registered<R | undefined>;
  return Object.values(audited).filter((result) => result !== undefined);
};

/** Every projection running, each with its read model's document type; one status and stop. */
export const launchProjections = (deps: ProjectionDeps) => {
  const { refundView, orderLedger, idempotencyGuard, billExpectation } = projectionRegistry;
  const running = {
    refundView: launchProjection(refundView, deps),
    orderLedger: launchProjection(orderLedger, deps),
    idempotencyGuard: launchProjection(idempotencyGuard, deps),
    billExpectation: launchProjection(billExpectation, deps),
  } satisfies Registered<unknown>;
  const all = Object.values(running);
  return {
    ...running,
    statuses: (): Promise<ProjectionStatus[]> => Promise.all(all.map((p) => p.status())),
    stop: async (): Promise<void> => {
      for (const projection of all) await projection.stop();
    },
  };
};

export type RunningProjections = ReturnType<typeof launchProjections>;
