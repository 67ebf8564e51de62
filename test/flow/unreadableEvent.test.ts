import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { encodeRefundEvent, refundCategory } from '../../src/application/refundEventCodec.js';
import { runAudit } from '../../src/audit/runAudit.js';
import { createLogger } from '../../src/infrastructure/observability/logger.js';
import { createSqliteEventStore } from '../../src/infrastructure/sqlite/sqliteEventStore.js';
import { refundRequested, refundSucceeded } from '../domain/refund/refundFixtures.js';
import { eventually } from '../support/eventually.js';
import { makeTempDir } from '../support/fixtures.js';
import {
  gatewayPassed,
  readOnlyStoresOf,
  startTestService,
  type TestService,
} from '../support/testService.js';

const logLine = z.looseObject({ level: z.number(), msg: z.string() });
const context = { correlationId: 'seed', causationId: 'seed', source: 'cli' } as const;

/**
 * A log holding an event the service cannot read (written by an older version, or by hand):
 * written straight into the store before the service starts. The refund R-bad was requested
 * and then "succeeded" with a negative settlement amount; R-before, requested after it in the
 * log on another order, waits to be sent.
 */
const writeLogWithAnUnreadableEvent = async (dataDir: string) => {
  const events = createSqliteEventStore({ file: path.join(dataDir, 'events.db') });
  const requested = (outRefundNo: string, outTradeNo: string, refundFee: number) =>
    encodeRefundEvent(
      refundRequested({ outRefundNo, outTradeNo, totalFee: 1000, refundFee, reason: 'x' }),
      context,
      { commandId: outRefundNo, index: 0 },
    );
  await events.append('refund-R-bad', [requested('R-bad', 'T-bad', 1000)], 'no_stream');
  const unreadable = refundSucceeded({
    outRefundNo: 'R-bad',
    outTradeNo: 'T-bad',
    refundFee: 1000,
  });
  await events.append(
    'refund-R-bad',
    [
      {
        id: crypto.randomUUID(),
        type: unreadable.type,
        data: { ...unreadable.data, settlementRefundFee: -1 },
        metadata: { ...context, schemaVersion: 1 },
      },
    ],
    0n,
  );
  await events.append('refund-R-before', [requested('R-before', 'T-shared', 600)], 'no_stream');
  await events.close();
};

describe('an event in the log the service cannot read', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let s: TestService;
  const lines: z.infer<typeof logLine>[] = [];
  beforeEach(async () => {
    temp = makeTempDir();
    await writeLogWithAnUnreadableEvent(temp.dir);
    lines.length = 0;
    const logger = createLogger('info', {
      write: (line: string) => void lines.push(logLine.parse(JSON.parse(line))),
    });
    s = await startTestService({ DATA_DIR: temp.dir }, { logger });
  });
  afterEach(async () => {
    await s.stop();
    temp.remove();
  });

  const settled = (outRefundNo: string) =>
    eventually(
      async () => {
        const read = await s.call('GET', `/v1/refunds/${outRefundNo}`);
        expect(read.status).toBe(200);
        expect(await read.json()).toMatchObject({ status: 'SUCCEEDED' });
      },
      { timeoutMs: 60_000 },
    );

  it('given it, then only its own refund is affected: every other refund is projected, readable, checked against its order and sent', async () => {
    // The refund with the unreadable event: a 503 problem that names the reason, never a 500.
    const bad = await s.call('GET', '/v1/refunds/R-bad');
    expect(bad.status).toBe(503);
    expect(await bad.json()).toMatchObject({ code: 'CORRUPT_EVENT', status: 503 });

    // The refund behind it in the log is sent and settled; a new one is checked against the
    // ledger (projected past the unreadable event), taken, sent and settled.
    await settled('R-before');
    // The order check reads the ledger: it must have applied R-before (its view may be ahead).
    await s.projected();
    const onSharedOrder = (outRefundNo: string, refundFee: number) =>
      s.call('POST', '/v1/refunds', {
        outTradeNo: 'T-shared',
        outRefundNo,
        totalFee: 1000,
        refundFee,
      });
    const tooMuch = await onSharedOrder('R-after-too-much', 401);
    expect(tooMuch.status).toBe(422);
    expect(await tooMuch.json()).toMatchObject({ code: 'REFUND_EXCEEDS_ORDER' });
    expect((await onSharedOrder('R-after', 400)).status).toBe(202);
    await settled('R-after');
    await s.projected();
    const order = await s.call('GET', '/v1/orders/T-shared/refunds');
    expect(await order.json()).toMatchObject({ refundedFee: 1000, pendingFee: 0 });

    // The gateway passed it without sending it, and without retrying it for ever.
    expect(
      s.wechat
        .sandbox!.refunds()
        .map((r) => r.outRefundNo)
        .sort(),
    ).toEqual(['R-after', 'R-before']);
    const [, unreadable] = await s.events.readStream('refund-R-bad');
    await gatewayPassed(s, unreadable!.position);
  }, 180_000);

  it('given it, then /readyz stays ready and names its stream, a metric counts it, the log says why at error level', async () => {
    const readiness = await eventually(async () => {
      const ready = await s.call('GET', '/readyz');
      expect(ready.status).toBe(200);
      const body = await ready.json();
      expect(body).toMatchObject({ ready: true, corruptStreams: ['refund-R-bad'] });
      return body;
    });
    expect(Object.values(readiness.checks)).toEqual(Array(6).fill('ok'));
    // What is wrong with the event is the log's to say, not the answer's.
    expect(JSON.stringify(readiness)).not.toContain('settlementRefundFee');

    const metrics = await (await fetch(`${s.url}/metrics`)).text();
    expect(metrics).toMatch(/^refund_events_unreadable 1$/m);

    const loud = lines.filter((line) => line.level >= 50);
    for (const reader of ['refund_view', 'order_ledger', 'idempotency_guard']) {
      expect(loud).toContainEqual(
        expect.objectContaining({
          reader,
          stream: 'refund-R-bad',
          revision: '1',
          msg: expect.stringContaining('cannot be read'),
          err: expect.objectContaining({ message: expect.stringContaining('settlementRefundFee') }),
        }),
      );
    }
  });

  it('given it, then the audit reports it as the one anomaly: the read models agree with the replay', async () => {
    const head = await s.events.headPosition(refundCategory);
    await eventually(async () => {
      for (const status of await s.projectionStatuses()) expect(status.position).toBe(head);
    });

    // As `refunds audit` reads them: read-only, beside the running service.
    const beside = readOnlyStoresOf(s);
    const report = await runAudit({ ...beside, now: new Date(), staleAfterSeconds: 3600 }).finally(
      beside.close,
    );

    expect(report.anomalies.listed).toEqual([
      expect.objectContaining({ kind: 'CORRUPT_EVENT', stream: 'refund-R-bad', revision: '1' }),
    ]);
    expect(report.readModels).toEqual([
      expect.objectContaining({ name: 'refund_view', checked: true }),
      expect.objectContaining({ name: 'order_ledger', checked: true }),
    ]);
  });
});
