import type { RecordedEvent } from '../application/ports/eventStore.js';
import type { StreamEvents } from '../application/ports/refundLogByOrder.js';
import { CorruptEventError, decodeOrCorrupt } from '../application/refundEventCodec.js';
import type { RefundEvent, RefundTerms } from '../domain/index.js';
import type { EventRef } from './anomaly.js';
import { createAnomalyLog } from './anomalyLog.js';
import type { AuditReport, ReadModelCheck } from './auditReport.js';
import { chinaDate } from '../application/chinaDate.js';
import { judgeRefundEvent, type RefundTrail } from './judgeRefundEvent.js';
import { metadataAnomaly } from './metadataAnomaly.js';
import { tallyNewRefund, tallySuccess, type OrderTally } from './orderTally.js';
import type { FoldScope, Replayed } from './auditedModels.js';
import { createRefundSummary } from './refundSummary.js';

export type AuditOptions = {
  now: Date;
  staleAfterSeconds: number;
  /** How many anomalies, and stale refunds, are kept with their particulars; all are counted. */
  maxAnomalies?: number;
};

type TallyFact = { terms: RefundTerms; at: EventRef; success: boolean };

const byPosition = (a: { position: bigint }, b: { position: bigint }): number =>
  a.position < b.position ? -1 : a.position > b.position ? 1 : 0;

/** Judge's and tally's anomalies of one event go in this order (the tally's last). */
const tallySequence = 1000;

/**
 * The audit as folds over sets of refunds: each fold is given whole streams (one order's, see
 * RefundLogByOrder) and judges each event against what came before it in its stream, tallies
 * the orders, replays the read models with the projections' own functions, and keeps only a
 * fixed-size summary of it all (anomalies, counts). Anomalies carry where the log has them, so
 * the report lists them in log order whatever order the folds come in.
 *
 * `add` and `finish` also audit a log held in memory: every event added, in any order, is
 * folded at once when the report is made.
 */
export const createAudit = ({ now, staleAfterSeconds, maxAnomalies = 10_000 }: AuditOptions) => {
  const anomalies = createAnomalyLog(maxAnomalies);
  const refunds = createRefundSummary({ now, staleAfterSeconds, maxStale: maxAnomalies });
  let events = 0;
  let orders = 0;

  const judgeStream = (
    recordedEvents: readonly RecordedEvent[],
    scope: FoldScope,
    facts: (order: string, fact: TallyFact) => void,
    replayed: { recorded: RecordedEvent; decoded: RefundEvent | CorruptEventError }[],
  ): void => {
    let trail: RefundTrail | undefined;
    for (const recorded of recordedEvents) {
      const at: EventRef = {
        stream: recorded.streamName,
        revision: recorded.revision,
        position: recorded.position,
      };
      const decoded = decodeOrCorrupt(recorded, { shared: false });
      const judged = judgeRefundEvent(trail, recorded, decoded, at);
      if (scope.judge) {
        events += 1;
        let sequence = 0;
        const invalidMetadata = metadataAnomaly(recorded, at);
        if (invalidMetadata) anomalies.add(invalidMetadata, [0, at.position, sequence++]);
        for (const anomaly of judged.anomalies)
          anomalies.add(anomaly, [0, at.position, sequence++]);
      }
      replayed.push({ recorded, decoded });
      const terms = judged.trail.agreed;
      if (!(decoded instanceof CorruptEventError) && terms) {
        if (!trail?.agreed) facts(terms.outTradeNo, { terms, at, success: false });
        if (trail?.state.status !== 'SUCCEEDED' && judged.trail.state.status === 'SUCCEEDED') {
          facts(terms.outTradeNo, { terms, at, success: true });
          if (scope.judge) {
            const date =
              (decoded.type === 'RefundSucceeded'
                ? chinaDate(decoded.data.successTime)
                : undefined) ??
              chinaDate(recorded.recordedAt) ??
              'unknown';
            refunds.refunded(date, terms.refundFee);
          }
        }
      }
      trail = judged.trail;
    }
    const first = recordedEvents[0];
    if (scope.judge && trail && first) refunds.add(trail, first.position);
  };

  const tally = (facts: readonly TallyFact[]): void => {
    let order: OrderTally | undefined;
    let sequence = tallySequence;
    for (const { terms, at, success } of facts) {
      const result = success ? tallySuccess(order, terms, at) : tallyNewRefund(order, terms, at);
      order = result.tally;
      for (const anomaly of result.anomalies) anomalies.add(anomaly, [0, at.position, sequence++]);
    }
  };

  const fold = (streams: readonly StreamEvents[], scope: FoldScope): Replayed => {
    const facts = new Map<string, TallyFact[] | undefined>();
    const replayed: { recorded: RecordedEvent; decoded: RefundEvent | CorruptEventError }[] = [];
    const collect = (order: string, fact: TallyFact) => {
      if (!facts.has(order)) facts.set(order, scope.ownsOrder(order) ? [] : undefined);
      facts.get(order)?.push(fact);
    };
    for (const stream of streams) judgeStream(stream.events, scope, collect, replayed);

    for (const orderFacts of facts.values()) {
      if (!orderFacts) continue;
      orders += 1;
      // In log order; a refund's request before its success at one event (a stable sort).
      tally(orderFacts.sort((a, b) => byPosition(a.at, b.at)));
    }

    if (streams.length > 1) {
      replayed.sort((a, b) => byPosition(a.recorded, b.recorded));
    }
    return scope.models.map((model) => {
      const owned = new Map<string, boolean>();
      const replay = model.replay((id) => {
        let owns = owned.get(id);
        if (owns === undefined) owned.set(id, (owns = scope.ownsDocument(model, id)));
        return owns;
      });
      for (const { recorded, decoded } of replayed) {
        // As the projections skip it (applyEvents), so that the comparison finds no drift in them.
        if (decoded instanceof CorruptEventError) replay.skip(recorded.streamName);
        else {
          const { streamName: stream, revision, position } = recorded;
          replay.apply(decoded, { stream, revision, position });
        }
      }
      return replay.documents;
    });
  };

  const finish = ({
    head,
    readModelChecks,
  }: {
    head: bigint | undefined;
    readModelChecks: ReadModelCheck[];
  }): AuditReport => {
    if (added.size > 0) {
      const streams = [...added].map(([streamName, streamEvents]) => ({
        streamName,
        events: streamEvents.sort(byPosition),
      }));
      added.clear();
      fold(streams, { judge: true, ownsOrder: () => true, ownsDocument: () => true, models: [] });
    }
    const summary = anomalies.summary();
    const { refunds: refundCount, statuses, failed, stale, refundedByDay } = refunds.finish();
    return {
      clean: summary.total === 0,
      auditedAt: now.toISOString(),
      log: { events, refunds: refundCount, orders, headPosition: head?.toString() ?? null },
      statuses,
      failed,
      stale,
      refundedByDay,
      readModels: readModelChecks,
      anomalies: summary,
    };
  };

  const added = new Map<string, RecordedEvent[]>();
  const add = (recorded: RecordedEvent): void => {
    const stream = added.get(recorded.streamName);
    if (stream) stream.push(recorded);
    else added.set(recorded.streamName, [recorded]);
  };

  return {
    fold,
    add,
    finish,
    /** A read model's finding: `key` orders it after the log's (see compareReadModel). */
    report: anomalies.add,
  };
};

export type Audit = ReturnType<typeof createAudit>;
