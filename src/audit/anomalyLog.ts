import type { JsonObject } from '../application/ports/eventStore.js';
import { anomalyKinds, type Anomaly, type AnomalyKind } from './anomaly.js';

/** An anomaly as reports show it: positions and revisions as decimal strings (they are 64-bit). */
export type ReportedAnomaly = {
  kind: AnomalyKind;
  stream: string | null;
  revision: string | null;
  position: string | null;
  message: string;
  details?: JsonObject;
};

export type AnomalySummary = {
  total: number;
  byKind: { kind: AnomalyKind; count: number }[];
  /** The first `limit` anomalies in the order they were found (log order, then read models). */
  listed: ReportedAnomaly[];
  truncated: boolean;
};

const reported = ({ kind, at, message, details }: Anomaly): ReportedAnomaly => ({
  kind,
  stream: at?.stream ?? null,
  revision: at?.revision.toString() ?? null,
  position: at?.position.toString() ?? null,
  message,
  ...(details !== undefined && { details }),
});

/**
 * Counts every anomaly but keeps the particulars of the first `limit` only: a log where every
 * event is wrong must not make the audit's memory grow with the number of events.
 */
export const createAnomalyLog = (limit: number) => {
  const listed: Anomaly[] = [];
  const counts = new Map<AnomalyKind, number>();
  let total = 0;
  const add = (anomaly: Anomaly): void => {
    total += 1;
    counts.set(anomaly.kind, (counts.get(anomaly.kind) ?? 0) + 1);
    if (listed.length < limit) listed.push(anomaly);
  };
  return {
    add,
    addAll: (anomalies: readonly Anomaly[]): void => anomalies.forEach(add),
    summary: (): AnomalySummary => ({
      total,
      byKind: anomalyKinds.flatMap((kind) => {
        const count = counts.get(kind);
        return count === undefined ? [] : [{ kind, count }];
      }),
      listed: listed.map(reported),
      truncated: total > listed.length,
    }),
  };
};
