import type { RecordedEvent } from './eventStore.js';

/** A refund's stream as the log holds it: its events in position order. */
export type StreamEvents = { streamName: string; events: RecordedEvent[] };

/**
 * One order's share of the refund log: every stream whose first event (lowest revision) names
 * the order as `data.outTradeNo`, whole. `order` null: streams whose first event names no order
 * (as a string).
 */
export type OrderGroup = { order: string | null; streams: StreamEvents[] };

/**
 * An event that names another order than its stream's first event, or another refund than its
 * stream is for (`data.outTradeNo`, `data.outRefundNo`, compared as strings; a value that is not
 * a string names nothing, and counts as another one).
 */
export type StrayEvent = { event: RecordedEvent; order: string | null };

/**
 * The refund category up to a fixed head, grouped by order: the audit folds one order's refunds
 * at a time, so that its memory follows one order's history rather than the log's. Adapters sort
 * in the store when they can (SQLite), or copy the log into one that can (an external sort).
 *
 * Strings are ordered by code point, as SQLite and MongoDB compare them (byte by byte in UTF-8).
 */
export interface RefundLogByOrder {
  /** The last position it reads; undefined when the category was empty. */
  readonly head: bigint | undefined;
  /** How many events it holds (up to head). */
  readonly events: number;
  /** Every group once, by `order` (null first); streams by name. */
  groups(): AsyncIterable<OrderGroup>;
  /**
   * The refunds that have a stream (each stream's outRefundNo), or the orders that have a group
   * (null excepted), in order, page by page.
   */
  keys(kind: 'refunds' | 'orders'): AsyncIterable<string[]>;
  /** Every stray event (rare: a log the service wrote has none), in position order. */
  strays(): AsyncIterable<StrayEvent[]>;
  /**
   * Whole streams, by name: those with an event naming one of the orders or refunds, and the
   * refunds' own streams. For what the strays touch; held in memory, as the strays are few.
   */
  streamsNaming(names: {
    orders: readonly string[];
    refunds: readonly string[];
  }): Promise<StreamEvents[]>;
  close(): Promise<void>;
}
