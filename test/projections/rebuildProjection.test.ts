import { describe, expect, it } from 'vitest';
import { projectionStorage } from '../../src/projections/projectionStorage.js';
import { rebuildProjection } from '../../src/projections/rebuildProjection.js';
import { foldRefundView } from '../../src/projections/refundView.js';
import { refundViewProjection } from '../../src/projections/refundViewProjection.js';
import { writeRandomRefunds } from '../../bench/support/randomRefunds.js';
import { sqliteStoresPerTest } from '../support/fixtures.js';
import { projectionDeps, snapshot } from './support/projectionFixture.js';

describe('rebuilding a read model', () => {
  const stores = sqliteStoresPerTest();

  it('given two instances rebuilding the same next generation at once, when one loses the switch, then it leaves the winner’s documents alone', async () => {
    const log = await writeRandomRefunds(stores.events, 200);
    const deps = { ...projectionDeps(stores), dropOld: false };

    // Started together, both pick generation 1 (nothing exists yet) and race to switch to it.
    const results = await Promise.all([
      rebuildProjection(refundViewProjection, deps),
      rebuildProjection(refundViewProjection, deps),
    ]);

    expect(results.map((r) => r.ok).sort()).toEqual([false, true]);
    const storage = projectionStorage(stores.documents);
    expect(await storage.generations(refundViewProjection)).toEqual([1]);
    expect(await storage.entry(refundViewProjection.name)).toMatchObject({ generation: 1 });
    const views = await snapshot(await storage.collection(refundViewProjection, 1));
    expect(views).toHaveLength(log.refunds);
    for (const view of views) {
      expect(view).toEqual(foldRefundView(log.streams.get(view.outRefundNo)!));
    }
  });
});
