import { afterEach, describe, expect, it } from 'vitest';
import { refundCategory } from '../../src/application/refundEventCodec.js';
import { applyEvents } from '../../src/projections/applyEvents.js';
import { corruptEvents } from '../../src/projections/corruptEvents.js';
import { projectionStorage } from '../../src/projections/projectionStorage.js';
import { rebuildProjection } from '../../src/projections/rebuildProjection.js';
import { foldRefundView } from '../../src/projections/refundView.js';
import { refundViewProjection } from '../../src/projections/refundViewProjection.js';
import { startProjection, type ProjectionStatus } from '../../src/projections/startProjection.js';
import { eventually } from '../support/eventually.js';
import { writeRandomRefunds } from '../../bench/support/randomRefunds.js';
import { childStartMs, collect, spawningTestMs, spawnTs } from '../support/spawnTs.js';
import { sqliteStoresPerTest } from '../support/fixtures.js';
import { eachProjection, projectionDeps, snapshot } from './support/projectionFixture.js';

type Running = { status: () => Promise<ProjectionStatus>; stop: () => Promise<void> };

describe('projection runner on SQLite', () => {
  const stores = sqliteStoresPerTest();
  let running: Running[] = [];
  afterEach(() => stopAll());

  const startAll = async (batchSize = 500) => {
    running = await eachProjection((p) =>
      startProjection(p, projectionDeps(stores, { batchSize })),
    );
  };
  const stopAll = async () => {
    for (const projection of running.splice(0)) await projection.stop();
  };
  const caughtUp = async () => {
    const head = await stores.events.headPosition(refundCategory);
    await eventually(
      async () => {
        for (const projection of running) expect((await projection.status()).position).toBe(head);
      },
      { timeoutMs: 120_000 },
    );
  };
  /** Every projection's documents in the given generation. */
  const documentsOf = (generation: number) => {
    const storage = projectionStorage(stores.documents);
    return eachProjection(async (p) => snapshot(await storage.collection(p, generation)));
  };
  const rebuildAll = () =>
    eachProjection((p) => rebuildProjection(p, { ...projectionDeps(stores), dropOld: false }));

  it('given a log of random refunds, when projected, then every view equals the fold of its stream', async () => {
    const log = await writeRandomRefunds(stores.events, 1500);
    await startAll();
    await caughtUp();

    const views = await projectionStorage(stores.documents).collection(refundViewProjection, 1);
    for (const [outRefundNo, history] of log.streams) {
      expect(await views.get(outRefundNo)).toEqual(foldRefundView(history));
    }
  });

  it('given a backlog, when a projection catches up, then the event loop turns between its steps, not only once it is caught up', async () => {
    await writeRandomRefunds(stores.events, 300);
    const head = await stores.events.headPosition(refundCategory);
    let turns = 0;
    let caughtUpAt: number | undefined;
    const turn = () => {
      turns += 1;
      if (caughtUpAt === undefined) setImmediate(turn);
    };
    setImmediate(turn);

    const projection = await startProjection(
      refundViewProjection,
      projectionDeps(stores, { batchSize: 100 }),
    );
    running = [projection];
    await projection.reached(head!).then(() => (caughtUpAt = turns));

    // Each step of 100 events has had at least one turn.
    expect(caughtUpAt).toBeGreaterThanOrEqual(Math.floor(Number(head) / 100));
    expect(Number(head)).toBeGreaterThan(300);
  });

  it('given an event that cannot be read, when projected, then it is skipped and recorded, its refund has no view, and every other refund is projected', async () => {
    const log = await writeRandomRefunds(stores.events, 200);
    const bad = await stores.events.readStream('refund-R7');
    await stores.events.append(
      'refund-R7',
      [{ id: crypto.randomUUID(), type: 'RefundTeleported', data: {}, metadata: {} }],
      bad.at(-1)!.revision,
    );
    const later = await writeRandomRefunds(stores.events, 20, { prefix: 'later' });
    await startAll();
    await caughtUp();

    const views = await projectionStorage(stores.documents).collection(refundViewProjection, 1);
    expect(await views.get('R7')).toBeUndefined();
    for (const [outRefundNo, history] of [...log.streams, ...later.streams]) {
      if (outRefundNo !== 'R7')
        expect(await views.get(outRefundNo)).toEqual(foldRefundView(history));
    }
    expect(await corruptEvents(stores.documents).list()).toEqual([
      expect.objectContaining({ stream: 'refund-R7', type: 'RefundTeleported' }),
    ]);
    await stopAll();
    await rebuildAll();
    expect(await documentsOf(2)).toEqual(await documentsOf(1));
  });

  it('given projected read models, when the same events are applied again, then every document is identical', async () => {
    await writeRandomRefunds(stores.events, 800);
    await startAll();
    await caughtUp();
    await stopAll();
    const before = await documentsOf(1);

    const page = await stores.events.readCategory(refundCategory, { limit: 100_000 });
    const storage = projectionStorage(stores.documents);
    await eachProjection(async (p) => applyEvents(p, await storage.collection(p, 1), page));

    expect(await documentsOf(1)).toEqual(before);
  });

  it('given events applied but not checkpointed (a crash in between), when restarted, then the documents equal a rebuild', async () => {
    await writeRandomRefunds(stores.events, 500);
    await startAll();
    await caughtUp();
    await stopAll();
    // More events, applied to the documents, and then the process died before the checkpoint.
    const checkpointed = (await stores.events.headPosition(refundCategory))!;
    await writeRandomRefunds(stores.events, 300, { seed: 7, prefix: 'late' });
    const late = await stores.events.readCategory(refundCategory, {
      after: checkpointed,
      limit: 100_000,
    });
    const storage = projectionStorage(stores.documents);
    await eachProjection(async (p) => applyEvents(p, await storage.collection(p, 1), late));

    await startAll();
    await caughtUp();
    await stopAll();
    await rebuildAll();

    expect(await documentsOf(1)).toEqual(await documentsOf(2));
  });

  it(
    'given the projecting process killed with SIGKILL mid-way, when restarted, then the documents equal a rebuild',
    async () => {
      await writeRandomRefunds(stores.events, 3000);
      const log = await stores.events.readCategory(refundCategory, { limit: 100_000 });
      const head = log.at(-1)!.position;
      const storage = projectionStorage(stores.documents);
      // The worker sees the log up to its middle only: killed at any time, it is short of the head.
      const middle = log[Math.floor(log.length / 2)]!.position;
      const child = spawnTs('test/projections/support/projectWorker.ts', [
        stores.dir,
        middle.toString(),
      ]);
      const { completion } = collect(child);
      // Killed while working through the backlog, as soon as it has saved a checkpoint.
      await eventually(
        async () => expect(await storage.checkpoint('refund_view_g1')).toBeDefined(),
        {
          timeoutMs: childStartMs,
          intervalMs: 5,
        },
      );
      child.kill('SIGKILL');
      await completion;
      expect((await storage.checkpoint('refund_view_g1'))!).toBeLessThan(head);

      await startAll();
      await caughtUp();
      await stopAll();
      await rebuildAll();

      expect(await documentsOf(1)).toEqual(await documentsOf(2));
    },
    spawningTestMs(1, 150_000),
  );

  it('given 10,000 random refunds projected as they were written, then a rebuild produces identical documents', async () => {
    await startAll();
    await writeRandomRefunds(stores.events, 10_000);
    await caughtUp();
    await stopAll();

    const results = await rebuildAll();

    expect(results.every((r) => r.ok)).toBe(true);
    const incremental = await documentsOf(1);
    expect(incremental[0]).toHaveLength(10_000);
    expect(await documentsOf(2)).toEqual(incremental);
    // Ten thousand refunds written, projected and rebuilt: minutes on a busy machine.
  }, 300_000);

  it('given a running projection, when a rebuild switches generations, then the runner follows it, drops the old one and keeps projecting', async () => {
    await writeRandomRefunds(stores.events, 200);
    const views = await startProjection(refundViewProjection, projectionDeps(stores));
    running = [views];
    await caughtUp();

    await rebuildProjection(refundViewProjection, { ...projectionDeps(stores), dropOld: false });
    await eventually(async () => expect((await views.status()).generation).toBe(2));
    await eventually(async () =>
      expect(await stores.documents.collectionNames()).not.toContain('refund_view_g1'),
    );
    const log = await writeRandomRefunds(stores.events, 5, { prefix: 'after' });

    await eventually(async () => {
      for (const [outRefundNo, history] of log.streams) {
        expect(await views.collection().get(outRefundNo)).toEqual(foldRefundView(history));
      }
    });
  });

  it('given a read model built by an older projection version, when started, then it is rebuilt into a new generation', async () => {
    await writeRandomRefunds(stores.events, 100);
    const v1 = await startProjection(refundViewProjection, projectionDeps(stores));
    running = [v1];
    await caughtUp();
    const before = await snapshot(v1.collection());
    await stopAll();

    const v2 = {
      ...refundViewProjection,
      version: 2,
    };
    const started = await startProjection(v2, projectionDeps(stores));
    running = [started];

    expect((await started.status()).generation).toBe(2);
    expect(await snapshot(started.collection())).toEqual(before);
    expect(await stores.documents.collectionNames()).not.toContain('refund_view_g1');
  });
});
