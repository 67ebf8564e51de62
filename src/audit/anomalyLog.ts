import type { JsonObject } from '../application/ports/eventStore.js';
import { compareCodePoints } from '../application/compareCodePoints.js';
import { anomalyKinds, type Anomaly, type AnomalyKind } from './anomaly.js';
import { keepSmallest } from './keepSmallest.js';

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

/**
 * Where an anomaly stands in the report's order, compared element by element: the audit finds
 * them in another order than it lists them (one order's refunds at a time, not the log's order).
 * Elements at one index are of one kind within a section (the first element).
 */
export type AnomalyKey = readonly (number | bigint | string)[];

export const compareKeys = (a: AnomalyKey, b: AnomalyKey): number => {
  for (let i = 0; i < a.length && i < b.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x === y) continue;
    if (typeof x === 'string' && typeof y === 'string') return compareCodePoints(x, y);
    return x < y ? -1 : 1;
  }
  return a.length - b.length;
};

const reported = ({ kind, at, message, details }: Anomaly): ReportedAnomaly => ({
  kind,
  stream: at?.stream ?? null,
  revision: at?.revision.toString() ?? null,
  position: at?.position.toString() ?? null,
  message,
  ...(details !== undefined && { details }),
});

type Keyed = { key: AnomalyKey; anomaly: Anomaly };

/**
 * Counts every anomaly but keeps the particulars of the first `limit` in key order only: a log
 * where every event is wrong must not make the audit's memory grow with the number of events.
 */
export const createAnomalyLog = (limit: number) => {
  const kept = keepSmallest<Keyed>(limit, (a, b) => compareKeys(a.key, b.key));
  const counts = new Map<AnomalyKind, number>();
  let total = 0;
  const add = (anomaly: Anomaly, key: AnomalyKey): void => {
    total += 1;
    counts.set(anomaly.kind, (counts.get(anomaly.kind) ?? 0) + 1);
    kept.add({ key, anomaly });
  };
  return {
    add,
    summary: (): AnomalySummary => ({
      total,
      byKind: anomalyKinds.flatMap((kind) => {
        const count = counts.get(kind);
        return count === undefined ? [] : [{ kind, count }];
      }),
      listed: kept.sorted().map((k) => reported(k.anomaly)),
      truncated: total > kept.size,
    }),
  };
};

export type AnomalyLog = ReturnType<typeof createAnomalyLog>;
