import type { FailureStage } from '../domain/index.js';
import type { AnomalySummary } from './anomalyLog.js';
import type { ReadModelComparison } from './compareReadModel.js';

/** A refund REQUESTED or ACCEPTED whose last event is older than the threshold: reported, no anomaly. */
export type StaleRefund = {
  outRefundNo: string;
  status: 'REQUESTED' | 'ACCEPTED';
  /** When the store recorded the refund's last event. */
  lastEventAt: string;
  ageSeconds: number;
};

export type ReadModelCheck =
  | ({
      name: string;
      checked: true;
      generation: number;
      checkpoint: string | null;
    } & ReadModelComparison)
  | { name: string; checked: false; reason: string };

/** The audit's findings, as `refunds audit --json` prints them. */
export type AuditReport = {
  /** No anomaly: the log and the read models are as the rules say. */
  clean: boolean;
  auditedAt: string;
  log: {
    events: number;
    refunds: number;
    orders: number;
    /** The last position audited: events appended later are the next audit's. */
    headPosition: string | null;
  };
  /** Refunds by status after the replay; UNKNOWN: a stream with no readable request. */
  statuses: {
    REQUESTED: number;
    ACCEPTED: number;
    SUCCEEDED: number;
    FAILED: number;
    UNKNOWN: number;
  };
  /**
   * Amounts (fen) of refunds that reached SUCCEEDED, by the date of RefundSucceeded's successTime
   * in China time (UTC+8); by its recordedAt when successTime is no time.
   */
  refundedByDay: { date: string; refunds: number; refundFee: number }[];
  /** FAILED refunds by stage and code: reported, not anomalies. */
  failed: { stage: FailureStage; code: string; refunds: number }[];
  /** The stale refunds: all counted, the oldest listed (at most as many as anomalies). */
  stale: { afterSeconds: number; total: number; refunds: StaleRefund[]; truncated: boolean };
  readModels: ReadModelCheck[];
  anomalies: AnomalySummary;
};
