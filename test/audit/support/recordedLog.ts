import type { JsonObject, RecordedEvent } from '../../../src/application/ports/eventStore.js';
import { refundStreamName } from '../../../src/application/refundEventCodec.js';
import type { RefundEvent } from '../../../src/domain/index.js';
import { createAudit, type AuditOptions } from '../../../src/audit/createAudit.js';

export const metadata: JsonObject = {
  correlationId: 'corr-1',
  causationId: 'cause-1',
  source: 'api',
  schemaVersion: 1,
};

export const recordedAt = '2026-11-28T08:00:00.000Z';
/** Five minutes after the default recordedAt: events recorded then are not stale. */
export const auditedAt = new Date('2026-11-28T08:05:00.000Z');

type Options = { metadata?: JsonObject; recordedAt?: string; revision?: bigint; stream?: string };

/**
 * A log in memory, as a store records it: positions from 1, revisions counted per stream. `raw`
 * writes whatever it is given, as a hand-edited or buggy log would hold it.
 */
export const recordedLog = () => {
  const events: RecordedEvent[] = [];
  const revisions = new Map<string, bigint>();
  const raw = (stream: string, type: string, data: JsonObject, options: Options = {}) => {
    const revision = options.revision ?? (revisions.get(stream) ?? -1n) + 1n;
    revisions.set(stream, revision);
    events.push({
      id: `event-${events.length + 1}`,
      streamName: stream,
      type,
      revision,
      position: BigInt(events.length + 1),
      recordedAt: options.recordedAt ?? recordedAt,
      data,
      metadata: options.metadata ?? metadata,
    });
    return log;
  };
  const add = (event: RefundEvent, options: Options = {}) =>
    raw(
      options.stream ?? refundStreamName(event.data.outRefundNo),
      event.type,
      { ...event.data },
      options,
    );
  const log = { events, raw, add };
  return log;
};

/** The audit's report of the events alone (no read models compared). */
export const audit = (events: readonly RecordedEvent[], options: Partial<AuditOptions> = {}) => {
  const fold = createAudit({ now: auditedAt, staleAfterSeconds: 600, ...options });
  events.forEach(fold.add);
  return fold.finish({ head: events.at(-1)?.position, readModelChecks: [] });
};

/** The anomalies as kind@stream#revision, the way a reader checks them. */
export const found = (report: ReturnType<typeof audit>): string[] =>
  report.anomalies.listed.map((a) => `${a.kind}@${a.stream}#${a.revision}`);
