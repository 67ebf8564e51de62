import type { JsonObject } from '../application/ports/eventStore.js';

/** Stable codes of what the audit finds wrong; reports and scripts key on them. */
export const anomalyKinds = [
  /** The event does not decode as a refund event (unknown type, missing or mistyped data). */
  'CORRUPT_EVENT',
  /** The stream's first event is not RefundRequested. */
  'NOT_STARTED_BY_REQUEST',
  /** The stream's revisions skip: events are missing from it. */
  'REVISION_GAP',
  /** The event names another refund than the one its stream is for. */
  'STREAM_MISMATCH',
  /** The event may not follow the refund's state (DESIGN §2, the domain's illegalTransition). */
  'ILLEGAL_TRANSITION',
  /** totalFee or refundFee stated differently from the refund's first request. */
  'AMOUNT_CHANGED',
  /** outTradeNo, transactionId or reason stated differently from the refund's first request. */
  'TERMS_CHANGED',
  /** correlationId, causationId, source or schemaVersion missing or invalid (DESIGN §6). */
  'METADATA_INVALID',
  /** The order's SUCCEEDED refunds add up to more than its total. */
  'ORDER_OVER_REFUNDED',
  /** More than 50 refunds for one order (WeChat refunds an order at most 50 times). */
  'ORDER_TOO_MANY_REFUNDS',
  /** A refund names another totalFee than the order's earlier refunds. */
  'ORDER_TOTAL_FEE_MISMATCH',
  /** The read model lacks a document the replay produces. */
  'READ_MODEL_MISSING',
  /** The read model has a document the replay does not produce. */
  'READ_MODEL_EXTRA',
  /** The read model's document differs from the replay's. */
  'READ_MODEL_DIFFERS',
] as const;

export type AnomalyKind = (typeof anomalyKinds)[number];

/** Where in the log an anomaly is: the event at fault. */
export type EventRef = { stream: string; revision: bigint; position: bigint };

export type Anomaly = {
  kind: AnomalyKind;
  /**
   * The event at fault; for a read-model document, the last event that shaped it. Absent for a
   * document no event produced (READ_MODEL_EXTRA).
   */
  at?: EventRef;
  message: string;
  /** Particulars for scripts: the order, the fields, the document… */
  details?: JsonObject;
};
