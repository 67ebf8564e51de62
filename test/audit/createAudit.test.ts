import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { refundCategory } from '../../src/application/refundEventCodec.js';
import { createSqliteEventStore } from '../../src/infrastructure/sqlite/sqliteEventStore.js';
import {
  refundAccepted,
  refundFailed,
  refundRequested,
  refundSucceeded,
} from '../domain/refund/refundFixtures.js';
import { writeRandomRefunds } from '../../bench/support/randomRefunds.js';
import { makeTempDir } from '../support/fixtures.js';
import { audit, auditedAt, found, metadata, recordedLog } from './support/recordedLog.js';

const anHourAgo = new Date(auditedAt.getTime() - 3600_000).toISOString();

describe('the audit of a log', () => {
  it('given thousands of random refunds with legal histories, then it finds nothing', async () => {
    const temp = makeTempDir();
    const events = createSqliteEventStore({ file: path.join(temp.dir, 'events.db') });
    try {
      const written = await writeRandomRefunds(events, 3000);
      const log = await events.readCategory(refundCategory, { limit: 100_000 });

      const report = audit(log);

      expect(report.anomalies).toEqual({ total: 0, byKind: [], listed: [], truncated: false });
      expect(report.clean).toBe(true);
      expect(report.log).toMatchObject({ events: written.events, refunds: written.refunds });
      const { UNKNOWN, ...statuses } = report.statuses;
      expect(UNKNOWN).toBe(0);
      expect(Object.values(statuses).reduce((a, b) => a + b)).toBe(written.refunds);
    } finally {
      await events.close();
      temp.remove();
    }
  });

  it('given an acceptance after success, then ILLEGAL_TRANSITION at that event', () => {
    const log = recordedLog().add(refundRequested()).add(refundSucceeded()).add(refundAccepted());

    const report = audit(log.events);

    expect(found(report)).toEqual(['ILLEGAL_TRANSITION@refund-R1#2']);
    expect(report.anomalies.listed[0]).toMatchObject({
      position: '3',
      message: 'RefundAccepted: RefundAccepted may not follow SUCCEEDED',
    });
    expect(report.clean).toBe(false);
  });

  it('given a stream that starts with an acceptance, then NOT_STARTED_BY_REQUEST once, not a cascade', () => {
    const log = recordedLog().add(refundAccepted()).add(refundSucceeded()).add(refundAccepted());

    expect(found(audit(log.events))).toEqual(['NOT_STARTED_BY_REQUEST@refund-R1#0']);
    expect(audit(log.events).statuses.UNKNOWN).toBe(1);
  });

  it('given an acceptance for another amount, then AMOUNT_CHANGED and nothing else', () => {
    const log = recordedLog()
      .add(refundRequested())
      .add(refundAccepted({ refundFee: 1000 }))
      .add(refundSucceeded());

    const report = audit(log.events);

    expect(found(report)).toEqual(['AMOUNT_CHANGED@refund-R1#1']);
    expect(report.anomalies.listed[0]?.details).toEqual({
      changes: [{ field: 'refundFee', agreed: 1990, stated: 1000 }],
    });
  });

  it('given a retry with another totalFee, then AMOUNT_CHANGED; with another reason, TERMS_CHANGED', () => {
    const failed = refundFailed('request', 'NOTENOUGH');
    const retried = (overrides: Parameters<typeof refundRequested>[0]) =>
      recordedLog()
        .add(refundRequested())
        .add(failed)
        .add(refundRequested({ attempt: 2, ...overrides })).events;

    expect(found(audit(retried({ totalFee: 5000 })))).toEqual(['AMOUNT_CHANGED@refund-R1#2']);
    expect(found(audit(retried({ reason: 'changed' })))).toEqual(['TERMS_CHANGED@refund-R1#2']);
    expect(found(audit(retried({ reason: 'changed', attempt: 3 })))).toEqual([
      'TERMS_CHANGED@refund-R1#2',
      'ILLEGAL_TRANSITION@refund-R1#2',
    ]);
    expect(found(audit(retried({})))).toEqual([]);
  });

  it('given a retry from another funds account, then no anomaly (DESIGN §2); with another reason too, TERMS_CHANGED for the reason alone', () => {
    const retried = (overrides: Parameters<typeof refundRequested>[0]) =>
      recordedLog()
        .add(refundRequested({ refundAccount: 'REFUND_SOURCE_UNSETTLED_FUNDS' }))
        .add(refundFailed('request', 'NOTENOUGH'))
        .add(refundRequested({ attempt: 2, ...overrides })).events;
    const recharge = { refundAccount: 'REFUND_SOURCE_RECHARGE_FUNDS' } as const;

    expect(found(audit(retried(recharge)))).toEqual([]);
    expect(found(audit(retried({})))).toEqual([]);
    const report = audit(retried({ ...recharge, reason: 'changed' }));
    expect(found(report)).toEqual(['TERMS_CHANGED@refund-R1#2']);
    expect(report.anomalies.listed[0]?.details).toEqual({
      changes: [{ field: 'reason', agreed: '商品已退货', stated: 'changed' }],
    });
  });

  it('given events of a stream naming another order, then TERMS_CHANGED at each', () => {
    const log = recordedLog()
      .add(refundRequested())
      .add(refundAccepted({ outTradeNo: 'T2' }))
      .add(refundFailed('settlement', 'REFUNDCLOSE', { outTradeNo: 'T3' }));

    expect(found(audit(log.events))).toEqual([
      'TERMS_CHANGED@refund-R1#1',
      'TERMS_CHANGED@refund-R1#2',
    ]);
  });

  it('given an event naming another refund than its stream, then STREAM_MISMATCH', () => {
    const log = recordedLog()
      .add(refundRequested())
      .add(refundAccepted({ outRefundNo: 'R2' }), { stream: 'refund-R1' });

    expect(found(audit(log.events))).toEqual(['STREAM_MISMATCH@refund-R1#1']);
  });

  it('given a stream whose revisions skip, then REVISION_GAP', () => {
    const log = recordedLog().add(refundRequested()).add(refundAccepted(), { revision: 2n });

    expect(found(audit(log.events))).toEqual(['REVISION_GAP@refund-R1#2']);
  });

  it('given events without a causationId, with an unknown source or no schemaVersion, then METADATA_INVALID naming the fields', () => {
    const { causationId: _, ...noCausation } = metadata;
    const { schemaVersion: __, ...noVersion } = metadata;
    const log = recordedLog()
      .add(refundRequested(), { metadata: noCausation })
      .add(refundAccepted(), { metadata: { ...metadata, source: 'someone' } })
      .add(refundSucceeded(), { metadata: noVersion });

    const report = audit(log.events);

    expect(found(report)).toEqual([
      'METADATA_INVALID@refund-R1#0',
      'METADATA_INVALID@refund-R1#1',
      'METADATA_INVALID@refund-R1#2',
    ]);
    expect(report.anomalies.listed.map((a) => a.details)).toEqual([
      { fields: ['causationId'] },
      { fields: ['source'] },
      { fields: ['schemaVersion'] },
    ]);
  });

  it('given an event that does not decode, then CORRUPT_EVENT with its stream and revision, and the audit goes on', () => {
    const { refundId: _, ...withoutRefundId } = refundAccepted().data;
    const log = recordedLog()
      .add(refundRequested())
      .raw('refund-R1', 'RefundAccepted', withoutRefundId)
      .add(refundSucceeded())
      .raw('refund-R2', 'RefundTeleported', {})
      .add(refundRequested({ outRefundNo: 'R3', outTradeNo: 'T3' }));

    const report = audit(log.events);

    expect(found(report)).toEqual(['CORRUPT_EVENT@refund-R1#1', 'CORRUPT_EVENT@refund-R2#0']);
    expect(report.anomalies.listed[0]?.message).toContain('refundId');
    expect(report.log.refunds).toBe(3);
  });

  it('given an order whose succeeded refunds exceed its total, then ORDER_OVER_REFUNDED at the success that crossed it', () => {
    const second = { outRefundNo: 'R2', refundId: '2' };
    const log = recordedLog()
      .add(refundRequested())
      .add(refundRequested({ outRefundNo: 'R2' }))
      .add(refundSucceeded())
      .add(refundSucceeded(second));

    const report = audit(log.events);

    expect(found(report)).toEqual(['ORDER_OVER_REFUNDED@refund-R2#1']);
    expect(report.anomalies.listed[0]?.details).toEqual({
      outTradeNo: 'T1',
      totalFee: 3960,
      succeededFee: 3980,
    });
  });

  it('given pending and failed refunds that would exceed the total, then no anomaly: only money that moved counts', () => {
    const log = recordedLog()
      .add(refundRequested())
      .add(refundRequested({ outRefundNo: 'R2' }))
      .add(refundSucceeded())
      .add(refundFailed('request', 'NOTENOUGH', { outRefundNo: 'R2' }));

    expect(found(audit(log.events))).toEqual([]);
  });

  it('given 51 refunds of one order, then ORDER_TOO_MANY_REFUNDS once, at the 51st', () => {
    const log = recordedLog();
    for (let n = 1; n <= 52; n++) {
      log.add(refundRequested({ outRefundNo: `R${n}`, totalFee: 10_000, refundFee: 1 }));
    }

    expect(found(audit(log.events))).toEqual(['ORDER_TOO_MANY_REFUNDS@refund-R51#0']);
  });

  it('given refunds of one order with different totalFee, then ORDER_TOTAL_FEE_MISMATCH at the odd one', () => {
    const log = recordedLog()
      .add(refundRequested())
      .add(refundRequested({ outRefundNo: 'R2', totalFee: 4000 }));

    expect(found(audit(log.events))).toEqual(['ORDER_TOTAL_FEE_MISMATCH@refund-R2#0']);
  });

  it('given failed refunds, then they are counted by stage and code, not as anomalies', () => {
    const log = recordedLog()
      .add(refundRequested())
      .add(refundFailed('request', 'NOTENOUGH'))
      .add(refundRequested({ outRefundNo: 'R2', refundFee: 100 }))
      .add(refundAccepted({ outRefundNo: 'R2', refundFee: 100 }))
      .add(refundFailed('settlement', 'REFUNDCLOSE', { outRefundNo: 'R2' }));

    const report = audit(log.events);

    expect(report.clean).toBe(true);
    expect(report.statuses.FAILED).toBe(2);
    expect(report.failed).toEqual([
      { stage: 'request', code: 'NOTENOUGH', refunds: 1 },
      { stage: 'settlement', code: 'REFUNDCLOSE', refunds: 1 },
    ]);
  });

  it('given a refund REQUESTED an hour ago and one ACCEPTED just now, then only the first is stale, with its age, and the log is clean', () => {
    const log = recordedLog()
      .add(refundRequested(), { recordedAt: anHourAgo })
      .add(refundRequested({ outRefundNo: 'R2', refundFee: 100 }), { recordedAt: anHourAgo })
      .add(refundAccepted({ outRefundNo: 'R2', refundFee: 100 }));

    const report = audit(log.events);

    expect(report.clean).toBe(true);
    expect(report.stale).toEqual({
      afterSeconds: 600,
      total: 1,
      refunds: [
        { outRefundNo: 'R1', status: 'REQUESTED', lastEventAt: anHourAgo, ageSeconds: 3600 },
      ],
      truncated: false,
    });
    expect(audit(log.events, { staleAfterSeconds: 7200 }).stale.refunds).toEqual([]);
  });

  it('given more stale refunds than the report keeps, then all are counted and the oldest listed, oldest first', () => {
    const minutesAgo = (minutes: number) =>
      new Date(auditedAt.getTime() - minutes * 60_000).toISOString();
    const log = recordedLog();
    for (const [outRefundNo, minutes] of [
      ['R1', 20],
      ['R2', 90],
      ['R3', 45],
      ['R4', 60],
    ] as const)
      log.add(refundRequested({ outRefundNo, refundFee: 100 }), {
        recordedAt: minutesAgo(minutes),
      });

    const { stale } = audit(log.events, { maxAnomalies: 2 });

    expect(stale.total).toBe(4);
    expect(stale.refunds.map((refund) => refund.outRefundNo)).toEqual(['R2', 'R4']);
    expect(stale.truncated).toBe(true);
  });

  it('given successes around midnight, then amounts are summed by the China-time date of successTime', () => {
    const log = recordedLog()
      .add(refundRequested({ totalFee: 10_000, refundFee: 100 }))
      .add(refundSucceeded({ refundFee: 100, successTime: '2026-11-01T23:59:59+08:00' }))
      .add(refundRequested({ outRefundNo: 'R2', totalFee: 10_000, refundFee: 250 }))
      .add(
        refundSucceeded({
          outRefundNo: 'R2',
          refundId: '2',
          refundFee: 250,
          successTime: '2026-11-01T16:00:00.000Z',
        }),
      );

    expect(audit(log.events).refundedByDay).toEqual([
      { date: '2026-11-01', refunds: 1, refundFee: 100 },
      { date: '2026-11-02', refunds: 1, refundFee: 250 },
    ]);
  });

  it('given a refund paid entirely by coupon (settlement amounts 0), then it is clean and counted as refunded', () => {
    const log = recordedLog()
      .add(refundRequested())
      .add(refundAccepted({ settlementRefundFee: 0, cashRefundFee: 0 }))
      .add(refundSucceeded({ settlementRefundFee: 0 }));

    const report = audit(log.events);

    expect(report.clean).toBe(true);
    expect(report.refundedByDay).toEqual([{ date: '2018-11-19', refunds: 1, refundFee: 1990 }]);
  });

  it('given successes of 2^53 − 1 fen written before amounts were capped, then CORRUPT_EVENT for each, never a rounded total', () => {
    const huge = { totalFee: 2 ** 53 - 1, refundFee: 2 ** 53 - 1 };
    const log = recordedLog()
      .raw('refund-R1', 'RefundRequested', { ...refundRequested(huge).data })
      .raw('refund-R1', 'RefundSucceeded', { ...refundSucceeded(huge).data })
      .raw('refund-R2', 'RefundRequested', {
        ...refundRequested({ ...huge, outRefundNo: 'R2' }).data,
      })
      .raw('refund-R2', 'RefundSucceeded', {
        ...refundSucceeded({ ...huge, outRefundNo: 'R2', refundId: '2' }).data,
      });

    const report = audit(log.events);

    expect(report.anomalies.byKind).toEqual([{ kind: 'CORRUPT_EVENT', count: 4 }]);
    expect(report.refundedByDay).toEqual([]);
  });

  it('given more anomalies than it keeps, then all are counted and the list says it is cut', () => {
    const log = recordedLog();
    for (let n = 1; n <= 5; n++) log.add(refundAccepted({ outRefundNo: `R${n}` }));

    const report = audit(log.events, { maxAnomalies: 2 });

    expect(report.anomalies).toMatchObject({
      total: 5,
      byKind: [{ kind: 'NOT_STARTED_BY_REQUEST', count: 5 }],
      truncated: true,
    });
    expect(report.anomalies.listed).toHaveLength(2);
  });
});
