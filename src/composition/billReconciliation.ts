import { BillUnavailable } from '../application/bills/billErrors.js';
import { startDailyBillRun, type DailyBillRunOptions } from '../application/bills/dailyBillRun.js';
import { createBillReconciliation } from '../application/bills/reconcileBills.js';
import { openReconciliations } from '../application/bills/reconciliationStore.js';
import type { RefundCommandHandler } from '../application/handleRefundCommand.js';
import type { Clock } from '../application/ports/clock.js';
import type { DocumentStore } from '../application/ports/documentStore.js';
import type { EventStore } from '../application/ports/eventStore.js';
import type { Log } from '../application/ports/log.js';
import { observeBillReconciliation } from '../infrastructure/observability/billMetrics.js';
import type { Metrics } from '../infrastructure/observability/metrics.js';
import type { WechatPayClient } from '../infrastructure/wechat/wechatPayClient.js';
import { billLogOf } from '../projections/billLog.js';
import type { RunningProjections } from '../projections/projectionRegistry.js';
import { untilCaughtUp } from '../projections/untilCaughtUp.js';

/** Test knobs for the daily bill run (its clock is the service's). */
export type BillRunTuning = Pick<DailyBillRunOptions, 'checkIntervalMs' | 'retryMs' | 'leaseMs'>;

/**
 * WeChat's refund bill against the log (DESIGN §5, BILLS.md), on demand and each day. The WeChat
 * client that downloads bills and queries refunds is the one the background work makes (it needs
 * the notify_url): `client` answers undefined until then.
 */
export const composeBillReconciliation = ({
  events,
  documents,
  projections,
  handle,
  metrics,
  clock,
  log,
  client,
  tuning,
}: {
  events: EventStore;
  documents: DocumentStore;
  projections: RunningProjections;
  handle: RefundCommandHandler;
  metrics: Metrics;
  clock: Clock;
  log: Log;
  client: () => WechatPayClient | undefined;
  tuning: BillRunTuning;
}) => {
  const reconciliations = openReconciliations(documents);
  const bills = createBillReconciliation({
    log: billLogOf({ events, collection: projections.billExpectation.collection }),
    handle,
    reconciliations,
    clock,
    caughtUp: () => untilCaughtUp(projections.billExpectation.status),
    queryRefund: (outRefundNo) =>
      client()?.queryRefund(outRefundNo) ??
      Promise.resolve({ kind: 'retryable', code: 'NOT_STARTED', message: 'not started' }),
    fetchBill: (date) => {
      const started = client();
      if (!started) throw new BillUnavailable('the service has not started its WeChat Pay client');
      return started.downloadBill(date);
    },
  });
  observeBillReconciliation(metrics, reconciliations.latest);
  /** The daily run at BILL_RECONCILE_TIME (minutes into the day in China). */
  const startDailyRun = (minutesIntoDay: number) =>
    startDailyBillRun({ documents, reconcile: bills.run, clock, log, minutesIntoDay, ...tuning });
  return { bills, startDailyRun };
};
