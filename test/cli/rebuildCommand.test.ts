import { describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.js';
import { collect, spawnTs } from '../support/spawnTs.js';
import { testAppPerTest } from '../support/fixtures.js';

const json = { 'content-type': 'application/json' };

describe('refunds projections rebuild', () => {
  const t = testAppPerTest();

  it('given a running service, when a read model is rebuilt by the CLI, then the service switches to it and keeps answering the same', async () => {
    for (let i = 0; i < 30; i++) {
      await t.app.inject({
        method: 'POST',
        url: '/v1/refunds',
        headers: json,
        payload: JSON.stringify({
          outTradeNo: `T${i % 10}`,
          outRefundNo: `R${i}`,
          totalFee: 1000,
          refundFee: 100,
        }),
      });
    }
    await t.projected();
    const before = (await t.app.inject({ method: 'GET', url: '/v1/orders/T3/refunds' })).json();

    const rebuilt = await collect(
      spawnTs('src/cli/refunds.ts', ['projections', 'rebuild', 'order_ledger', '--json'], {
        DATA_DIR: t.dataDir,
        LOG_LEVEL: 'silent',
      }),
    ).completion;

    expect(rebuilt.code, rebuilt.stderr).toBe(0);
    expect(JSON.parse(rebuilt.stdout)).toEqual({
      rebuilt: [{ name: 'order_ledger', ok: true, generation: 2, events: 30 }],
    });
    await eventually(async () => {
      const statuses = await t.service.projectionStatuses();
      expect(statuses.find((s) => s.name === 'order_ledger')?.generation).toBe(2);
    });
    expect((await t.app.inject({ method: 'GET', url: '/v1/orders/T3/refunds' })).json()).toEqual(
      before,
    );
  });

  it('given an unknown read model, then exit code 64 naming it', async () => {
    const run = await collect(
      spawnTs('src/cli/refunds.ts', ['projections', 'rebuild', 'nope'], { DATA_DIR: t.dataDir }),
    ).completion;

    expect(run.code).toBe(64);
    expect(run.stderr).toContain('Unknown read model: nope');
  });
});
