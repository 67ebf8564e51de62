import type { JsonObject } from '../application/ports/eventStore.js';
import { compareCodePoints } from '../application/compareCodePoints.js';
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
 * Counts every anomaly but keeps the particulars of the first `limit` in key order only (a heap
 * of the smallest): a log where every event is wrong must not make the audit's memory grow with
 * the number of events.
 */
export const createAnomalyLog = (limit: number) => {
  /** A max-heap by key: its root is the kept anomaly that would go first. */
  const kept: Keyed[] = [];
  const counts = new Map<AnomalyKind, number>();
  let total = 0;
  const after = (i: number, j: number) => compareKeys(kept[i]!.key, kept[j]!.key) > 0;
  const swap = (i: number, j: number) => {
    [kept[i], kept[j]] = [kept[j]!, kept[i]!];
  };
  const siftUp = (start: number) => {
    for (let i = start; i > 0;) {
      const parent = (i - 1) >> 1;
      if (!after(i, parent)) return;
      swap(i, parent);
      i = parent;
    }
  };
  const siftDown = () => {
    for (let i = 0; ;) {
      const [left, right] = [2 * i + 1, 2 * i + 2];
      let largest = i;
      if (left < kept.length && after(left, largest)) largest = left;
      if (right < kept.length && after(right, largest)) largest = right;
      if (largest === i) return;
      swap(i, largest);
      i = largest;
    }
  };
  const add = (anomaly: Anomaly, key: AnomalyKey): void => {
    total += 1;
    counts.set(anomaly.kind, (counts.get(anomaly.kind) ?? 0) + 1);
    if (limit <= 0) return;
    if (kept.length < limit) {
      kept.push({ key, anomaly });
      siftUp(kept.length - 1);
    } else if (compareKeys(key, kept[0]!.key) < 0) {
      kept[0] = { key, anomaly };
      siftDown();
    }
  };
  return {
    add,
    summary: (): AnomalySummary => ({
      total,
      byKind: anomalyKinds.flatMap((kind) => {
        const count = counts.get(kind);
        return count === undefined ? [] : [{ kind, count }];
      }),
      listed: [...kept].sort((a, b) => compareKeys(a.key, b.key)).map((k) => reported(k.anomaly)),
      truncated: total > kept.length,
    }),
  };
};

export type AnomalyLog = ReturnType<typeof createAnomalyLog>;
