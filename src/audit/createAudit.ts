import type { JsonObject, RecordedEvent } from '../application/ports/eventStore.js';
import { CorruptEventError, decodeOrCorrupt } from '../application/refundEventCodec.js';
import { addFen, type RefundEvent } from '../domain/index.js';
import { eachProjection, isAudited } from '../projections/projectionRegistry.js';
import type { Anomaly, EventRef } from './anomaly.js';
import { createAnomalyLog } from './anomalyLog.js';
import type { AuditReport, ReadModelCheck } from './auditReport.js';
import { chinaDate } from '../application/chinaDate.js';
import {
  createReadModelReplay,
  type ExpectedDocument,
  type ReadModelReplay,
} from './readModelReplay.js';
import { judgeRefundEvent, type RefundTrail } from './judgeRefundEvent.js';
import { metadataAnomaly } from './metadataAnomaly.js';
import { tallyNewRefund, tallySuccess, type OrderTally } from './orderTally.js';
import { summarizeRefunds } from './summarizeRefunds.js';

export type AuditOptions = {
  now: Date;
  staleAfterSeconds: number;
  /** How many anomalies are kept with their particulars; all are counted. */
  maxAnomalies?: number;
};

/** A read model the audit rebuilds in memory. */
export type AuditedReadModel = {
  name: string;
  documents: Map<string, ExpectedDocument<JsonObject>>;
};

/**
 * The audit as a fold over the log: fed every refund event in position order, it keeps a short
 * summary per refund and per order (never the events), judges each event as it comes, and
 * rebuilds the read models in memory for the comparison with the stored ones.
 */
export const createAudit = ({ now, staleAfterSeconds, maxAnomalies = 10_000 }: AuditOptions) => {
  const refunds = new Map<string, RefundTrail>();
  const orders = new Map<string, OrderTally>();
  const refundedByDay = new Map<string, { refunds: number; refundFee: number }>();
  const readModels = eachProjection((projection): ReadModelReplay<JsonObject>[] =>
    isAudited(projection) ? [createReadModelReplay(projection)] : [],
  ).flat();
  const anomalies = createAnomalyLog(maxAnomalies);
  let events = 0;

  const tallied = (outTradeNo: string, result: { tally: OrderTally; anomalies: Anomaly[] }) => {
    orders.set(outTradeNo, result.tally);
    anomalies.addAll(result.anomalies);
  };

  const tallyOrder = (
    before: RefundTrail | undefined,
    after: RefundTrail,
    event: RefundEvent,
    recorded: RecordedEvent,
    at: EventRef,
  ): void => {
    const terms = after.agreed;
    if (!terms) return;
    const { outTradeNo } = terms;
    if (!before?.agreed) tallied(outTradeNo, tallyNewRefund(orders.get(outTradeNo), terms, at));
    if (before?.state.status === 'SUCCEEDED' || after.state.status !== 'SUCCEEDED') return;
    tallied(outTradeNo, tallySuccess(orders.get(outTradeNo), terms, at));
    const date =
      (event.type === 'RefundSucceeded' ? chinaDate(event.data.successTime) : undefined) ??
      chinaDate(recorded.recordedAt) ??
      'unknown';
    const day = refundedByDay.get(date) ?? { refunds: 0, refundFee: 0 };
    refundedByDay.set(date, {
      refunds: day.refunds + 1,
      refundFee: addFen(day.refundFee, terms.refundFee),
    });
  };

  const add = (recorded: RecordedEvent): void => {
    events += 1;
    const at: EventRef = {
      stream: recorded.streamName,
      revision: recorded.revision,
      position: recorded.position,
    };
    const invalidMetadata = metadataAnomaly(recorded, at);
    if (invalidMetadata) anomalies.add(invalidMetadata);
    const decoded = decodeOrCorrupt(recorded);
    const before = refunds.get(recorded.streamName);
    const judged = judgeRefundEvent(before, recorded, decoded, at);
    refunds.set(recorded.streamName, judged.trail);
    anomalies.addAll(judged.anomalies);
    if (decoded instanceof CorruptEventError) {
      // As the projections skip it (applyEvents), so that the comparison finds no drift in them.
      for (const readModel of readModels) readModel.skip(recorded.streamName);
      return;
    }
    for (const readModel of readModels) readModel.apply(decoded, at);
    tallyOrder(before, judged.trail, decoded, recorded, at);
  };

  const finish = ({
    head,
    readModelChecks,
  }: {
    head: bigint | undefined;
    readModelChecks: ReadModelCheck[];
  }): AuditReport => {
    const summary = anomalies.summary();
    return {
      clean: summary.total === 0,
      auditedAt: now.toISOString(),
      log: {
        events,
        refunds: refunds.size,
        orders: orders.size,
        headPosition: head?.toString() ?? null,
      },
      ...summarizeRefunds(refunds, { now, staleAfterSeconds }),
      refundedByDay: [...refundedByDay]
        .map(([date, day]) => ({ date, ...day }))
        .sort((a, b) => a.date.localeCompare(b.date)),
      readModels: readModelChecks,
      anomalies: summary,
    };
  };

  return { add, readModels, report: anomalies.add, finish };
};

export type Audit = ReturnType<typeof createAudit>;
