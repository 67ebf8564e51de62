import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Anomaly } from '../../src/audit/anomaly.js';
import { compareKeys, createAnomalyLog, type AnomalyKey } from '../../src/audit/anomalyLog.js';

const anomaly = (n: number): Anomaly => ({ kind: 'REVISION_GAP', message: `#${n}` });

describe('the anomaly log', () => {
  it('given anomalies found in any order, then it lists the first ones by key, counts them all, and says when it cut the list', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 0, max: 10_000 }), { maxLength: 200 }),
        fc.integer({ min: 0, max: 50 }),
        (positions, limit) => {
          const log = createAnomalyLog(limit);
          for (const position of positions) log.add(anomaly(position), [0, BigInt(position), 0]);

          const summary = log.summary();

          const first = [...positions].sort((a, b) => a - b).slice(0, limit);
          expect(summary.listed.map((a) => a.message)).toEqual(first.map((n) => `#${n}`));
          expect(summary.total).toBe(positions.length);
          expect(summary.truncated).toBe(positions.length > limit);
        },
      ),
    );
  });

  it('given keys of the log and of read models, then the log comes first, and ids sort by code point', () => {
    const keys: AnomalyKey[] = [
      [2, 1, 5n],
      [1, 0, '\u{1F600}'],
      [0, 7n, 1001],
      [1, 0, '\uFF01'],
      [0, 7n, 0],
      [1, 1, 3n],
    ];

    expect([...keys].sort(compareKeys)).toEqual([
      [0, 7n, 0],
      [0, 7n, 1001],
      [1, 0, '\uFF01'],
      [1, 0, '\u{1F600}'],
      [1, 1, 3n],
      [2, 1, 5n],
    ]);
  });
});
