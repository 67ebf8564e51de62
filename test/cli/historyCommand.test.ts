import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRefundCommandHandler } from '../../src/application/handleRefundCommand.js';
import type { EventStore } from '../../src/application/ports/eventStore.js';
import { createSqliteEventStore } from '../../src/infrastructure/sqlite/sqliteEventStore.js';
import { acceptRefund, markSucceeded, requestRefund } from '../domain/refund/refundFixtures.js';
import { collect, spawnTs } from '../support/spawnTs.js';
import { makeTempDir } from '../support/fixtures.js';
import { runCommand } from './captureIo.js';

const api = { correlationId: 'corr-api', causationId: 'corr-api', source: 'api' } as const;
const notification = {
  correlationId: 'corr-api',
  causationId: 'notify-7',
  source: 'notification',
} as const;

describe('refunds history', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let events: EventStore;
  beforeEach(async () => {
    temp = makeTempDir();
    events = createSqliteEventStore({ file: path.join(temp.dir, 'events.db') });
    const handle = createRefundCommandHandler({ events });
    await handle(requestRefund(), api);
    await handle(acceptRefund(), { ...api, source: 'gateway', causationId: 'gateway-1' });
    await handle(markSucceeded(), notification);
  });
  afterEach(async () => {
    await events.close();
    temp.remove();
  });

  const history = (args: string[]) => runCommand(temp.dir, ['history', ...args]);

  it('given a refund, when its history is asked for as JSON by the CLI, then its events in order, as stored, with who caused them', async () => {
    const run = await collect(
      spawnTs('src/cli/refunds.ts', ['history', 'R1', '--json'], {
        DATA_DIR: temp.dir,
        LOG_LEVEL: 'silent',
      }),
    ).completion;

    expect(run.code, run.stderr).toBe(0);
    const body: { stream: string; events: { type: string; revision: string }[] } = JSON.parse(
      run.stdout,
    );
    expect(body.stream).toBe('refund-R1');
    expect(body.events.map((e) => [e.revision, e.type])).toEqual([
      ['0', 'RefundRequested'],
      ['1', 'RefundAccepted'],
      ['2', 'RefundSucceeded'],
    ]);
    expect(body.events[2]).toMatchObject({
      position: '3',
      recordedAt: expect.any(String),
      data: { refundId: '50000408942018111907145868882', refundFee: 1990 },
      metadata: { ...notification, schemaVersion: 1 },
    });
  });

  it('given a refund, then a readable timeline: time, revision, type, the essentials and who caused it', async () => {
    const run = await history(['R1']);

    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^refund-R1: 3 events/);
    expect(run.stdout).toMatch(/\n\S+Z {2}#0 {2}RefundRequested {2}\(position 1\)\n/);
    expect(run.stdout).toContain('refundFee 1990 of totalFee 3960 fen, order T1');
    expect(run.stdout).toContain('reason "商品已退货"');
    expect(run.stdout).toContain(
      'WeChat refund_id 50000408942018111907145868882, refundFee 1990 fen',
    );
    expect(run.stdout).toContain(
      'by gateway · correlation corr-api · causation gateway-1 · schema 1',
    );
    expect(run.stdout).toContain('by notification · correlation corr-api · causation notify-7');
    expect(run.stderr).toBe('');
  });

  it('given a refund requested from the recharge funds, then its request line names them', async () => {
    await createRefundCommandHandler({ events })(
      requestRefund({ outRefundNo: 'R2', refundAccount: 'REFUND_SOURCE_RECHARGE_FUNDS' }),
      api,
    );

    const run = await history(['R2']);

    expect(run.stdout).toContain('from REFUND_SOURCE_RECHARGE_FUNDS');
  });

  it('given an event of the refund that does not decode, then it is shown as stored, not a crash', async () => {
    await events.append(
      'refund-R1',
      [{ id: randomUUID(), type: 'RefundTeleported', data: { to: 'Mars' }, metadata: {} }],
      2n,
    );

    const run = await history(['R1']);

    expect(run.code).toBe(0);
    expect(run.stdout).toContain('#3  RefundTeleported');
    expect(run.stdout).toContain('not a valid refund event; as stored:');
    expect(run.stdout).toContain('{"to":"Mars"}');
    expect(run.stdout).toContain('by - · correlation - · causation - · schema -');
  });

  it('given an unknown refund, then exit 1 with a clear message on stderr and nothing on stdout', async () => {
    const run = await collect(
      spawnTs('src/cli/refunds.ts', ['history', 'NOPE'], {
        DATA_DIR: temp.dir,
        LOG_LEVEL: 'silent',
      }),
    ).completion;

    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe('No refund NOPE: the log has no stream refund-NOPE\n');
  });

  it('given no outRefundNo, or no store, then usage (64) or unreadable (2)', async () => {
    const usage = await history([]);
    expect(usage.code).toBe(64);
    expect(usage.stderr).toMatch(/^history takes one outRefundNo\n\nUsage: refunds/);
    expect((await runCommand(path.join(temp.dir, 'missing'), ['history', 'R1'])).code).toBe(2);
  });
});
