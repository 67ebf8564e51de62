import type { StoreHealth } from './storeHealth.js';

export type JsonValue =
  string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** `no_stream`: the stream must not exist yet. A bigint: the revision of the stream's last event. */
export type ExpectedRevision = 'no_stream' | bigint;

export type EventToAppend = {
  /** A UUID; adapters that deduplicate retried appends (EventStoreDB) use it. */
  id: string;
  type: string;
  data: JsonObject;
  metadata: JsonObject;
};

export type RecordedEvent = {
  id: string;
  streamName: string;
  type: string;
  revision: bigint;
  position: bigint;
  /** When the store committed the event, ISO 8601. */
  recordedAt: string;
  data: JsonObject;
  metadata: JsonObject;
};

/** A version conflict is an expected outcome, not an error. */
export type AppendResult =
  | { ok: true; nextExpectedRevision: bigint; position: bigint }
  | { ok: false; reason: 'conflict'; actualRevision: bigint | 'no_stream' };

export type ReadCategoryOptions = {
  /** Exclusive: only events with a greater position. Omitted: from the start. */
  after?: bigint;
  /** Page size. */
  limit: number;
};

/**
 * The event log port. Shaped after EventStoreDB so its adapter fits without changing callers:
 * revisions and positions are 64-bit (bigint), a stream's first event has revision 0, and
 * positions are global, increasing in commit order but not necessarily contiguous.
 */
export interface EventStore {
  /** Appends all events atomically, or none, if the stream is at the expected revision. */
  append(
    streamName: string,
    events: readonly EventToAppend[],
    expected: ExpectedRevision,
  ): Promise<AppendResult>;
  /** The stream's events in revision order; empty when it does not exist. */
  readStream(streamName: string): Promise<RecordedEvent[]>;
  /** Events of streams named `<category>-…`, in position order. */
  readCategory(category: string, options: ReadCategoryOptions): Promise<RecordedEvent[]>;
  /** Position of the category's last event, undefined when there is none. */
  headPosition(category: string): Promise<bigint | undefined>;
  /**
   * Calls the listener after events are appended. A hint to wake subscribers, not delivery:
   * subscribers still read from their checkpoint, and poll for appends made by other processes.
   */
  onAppended(listener: () => void): () => void;
  /** Whether the log answers now; never throws. */
  health(): Promise<StoreHealth>;
  close(): Promise<void>;
}
