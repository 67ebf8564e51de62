import {
  DeadlineExceededError,
  NO_STREAM,
  StreamNotFoundError,
  UnavailableError,
  WrongExpectedVersionError,
} from '@eventstore/db-client';
import { describe, expect, it } from 'vitest';
import { StoreUnavailable } from '../../../src/application/ports/storeHealth.js';
import {
  esdbHealthReason,
  esdbMessageOf,
  esdbStoreError,
  isEsdbUnreachable,
} from '../../../src/infrastructure/esdb/esdbErrors.js';
import {
  appendOutcome,
  commitPositionOf,
  conflictOf,
  esdbPosition,
  inCategory,
  toEsdbEvent,
  toEsdbExpectedRevision,
  toRecordedEvent,
  UnreadableEsdbEvent,
} from '../../../src/infrastructure/esdb/esdbEventMapping.js';

const id = '2ed6657d-e927-568b-95e1-2665a8aea6a2';
const created = new Date('2026-11-28T08:00:00.123Z');
const beyondDoubles = 2n ** 53n + 1n;

const recorded = (overrides: Record<string, unknown> = {}) => ({
  streamId: 'refund-R1',
  id,
  revision: 3n,
  type: 'RefundAccepted',
  isJson: true,
  created,
  data: { outRefundNo: 'R1', refundId: '50000408942018111907145868882', refundFee: 3960 },
  metadata: { correlationId: 'c-1', causationId: 'c-1', source: 'gateway', schemaVersion: 1 },
  position: { commit: beyondDoubles, prepare: beyondDoubles },
  ...overrides,
});

describe('EventStoreDB event mapping', () => {
  it('given an event to append, then it is a JSON event with the caller’s id, data and metadata', () => {
    expect(
      toEsdbEvent({ id, type: 'RefundRequested', data: { a: 1 }, metadata: { source: 'api' } }),
    ).toEqual({
      id,
      contentType: 'application/json',
      type: 'RefundRequested',
      data: { a: 1 },
      metadata: { source: 'api' },
    });
  });

  it('given the expected revision, then no_stream maps to NO_STREAM and a revision to itself', () => {
    expect(toEsdbExpectedRevision('no_stream')).toBe(NO_STREAM);
    expect(toEsdbExpectedRevision(2n ** 62n)).toBe(2n ** 62n);
  });

  it('given a position, then it addresses the event by equal commit and prepare positions', () => {
    expect(esdbPosition(beyondDoubles)).toEqual({ commit: beyondDoubles, prepare: beyondDoubles });
  });

  const nothingToReadBack = {
    positionAt: () => Promise.reject(new Error('not needed')),
    currentRevision: () => Promise.reject(new Error('not needed')),
  };

  it('given a successful append, then the next revision and the commit position of its last event', async () => {
    expect(
      await appendOutcome(
        {
          success: true,
          nextExpectedRevision: 4n,
          position: { commit: beyondDoubles, prepare: 17n },
        },
        nothingToReadBack,
      ),
    ).toEqual({ ok: true, nextExpectedRevision: 4n, position: beyondDoubles });
  });

  it('given a successful append without a position (a recognised retry), then the position of the event at the resulting revision, read back', async () => {
    const asked: bigint[] = [];
    expect(
      await appendOutcome(
        { success: true, nextExpectedRevision: 4n },
        {
          ...nothingToReadBack,
          positionAt: (revision) => {
            asked.push(revision);
            return Promise.resolve(99n);
          },
        },
      ),
    ).toEqual({ ok: true, nextExpectedRevision: 4n, position: 99n });
    expect(asked).toEqual([4n]);
  });

  it('given an append the client resolved as failed (throwOnAppendFailure off), then a conflict at the revision read back, never a success', async () => {
    // The client's own revision in such a result is unreliable (batch appends report 1 or -1).
    const failed = { success: false, nextExpectedRevision: 1n };

    expect(
      await appendOutcome(failed, {
        ...nothingToReadBack,
        currentRevision: () => Promise.resolve(7n),
      }),
    ).toEqual({ ok: false, reason: 'conflict', actualRevision: 7n });
    expect(
      await appendOutcome(failed, {
        ...nothingToReadBack,
        currentRevision: () => Promise.resolve('no_stream'),
      }),
    ).toEqual({ ok: false, reason: 'conflict', actualRevision: 'no_stream' });
  });

  it('given a wrong expected version, then a conflict with the actual revision, or no_stream', () => {
    const existing = new WrongExpectedVersionError(undefined, {
      streamName: 'refund-R1',
      expected: NO_STREAM,
      current: 0n,
    });
    const missing = new WrongExpectedVersionError(undefined, {
      streamName: 'refund-R1',
      expected: 0n,
      current: NO_STREAM,
    });

    expect(conflictOf(existing)).toEqual({ ok: false, reason: 'conflict', actualRevision: 0n });
    expect(conflictOf(missing)).toEqual({
      ok: false,
      reason: 'conflict',
      actualRevision: 'no_stream',
    });
    expect(conflictOf(new StreamNotFoundError(undefined, 'refund-R1'))).toBeUndefined();
    expect(conflictOf(new Error('boom'))).toBeUndefined();
  });

  it('given a recorded JSON event, then the port’s event, positions exact beyond 2^53, time from created', () => {
    expect(toRecordedEvent({ event: recorded() })).toEqual({
      id,
      streamName: 'refund-R1',
      type: 'RefundAccepted',
      revision: 3n,
      position: beyondDoubles,
      recordedAt: '2026-11-28T08:00:00.123Z',
      data: { outRefundNo: 'R1', refundId: '50000408942018111907145868882', refundFee: 3960 },
      metadata: { correlationId: 'c-1', causationId: 'c-1', source: 'gateway', schemaVersion: 1 },
    });
  });

  it('given an event without its own position, then the commit position beside it; without either, an error', () => {
    const event = recorded({ position: undefined });

    expect(toRecordedEvent({ event, commitPosition: 42n }).position).toBe(42n);
    expect(() => toRecordedEvent({ event })).toThrow(UnreadableEsdbEvent);
  });

  it('given an event without metadata, then empty metadata', () => {
    expect(toRecordedEvent({ event: recorded({ metadata: undefined }) }).metadata).toEqual({});
  });

  it('given a binary event, data that is not an object, or no event at all, then it is unreadable', () => {
    expect(() =>
      toRecordedEvent({ event: recorded({ isJson: false, data: new Uint8Array([1]) }) }),
    ).toThrow(/not JSON/);
    expect(() => toRecordedEvent({ event: recorded({ data: ['a'] }) })).toThrow(
      UnreadableEsdbEvent,
    );
    expect(() => toRecordedEvent({ event: recorded({ data: 'text' }) })).toThrow(
      UnreadableEsdbEvent,
    );
    expect(() => toRecordedEvent({})).toThrow(UnreadableEsdbEvent);
  });

  it('given events of $all, then only non-system events of the category’s streams belong to it', () => {
    expect(inCategory('refund', { streamId: 'refund-R1', type: 'RefundRequested' })).toBe(true);
    expect(inCategory('refund', { streamId: 'refund-R1', type: '$streamDeleted' })).toBe(false);
    expect(inCategory('refund', { streamId: 'refunds-R1', type: 'RefundRequested' })).toBe(false);
    expect(inCategory('refund', { streamId: '$ce-refund', type: '$>' })).toBe(false);
    expect(inCategory('refund', { streamId: 'refund', type: 'X' })).toBe(false);
    expect(inCategory('refund', undefined)).toBe(false);
    // Up to the first dash, as the embedded store files it: refund-R-1 is a refund,
    // refund-archive-R1 too (the prefix filter of the server lets both through).
    expect(inCategory('refund', { streamId: 'refund-R-1', type: 'RefundRequested' })).toBe(true);
    expect(inCategory('refund-archive', { streamId: 'refund-archive-R1', type: 'X' })).toBe(false);
  });

  it('given an event of $all, then its commit position, from the event or beside it', () => {
    expect(commitPositionOf({ event: { position: { commit: 5n, prepare: 5n } } })).toBe(5n);
    expect(commitPositionOf({ commitPosition: 6n })).toBe(6n);
    expect(() => commitPositionOf({})).toThrow(UnreadableEsdbEvent);
  });
});

describe('EventStoreDB error mapping', () => {
  const refused =
    '14 UNAVAILABLE: No connection established. Last error: Error: connect ECONNREFUSED 127.0.0.1:1. Resolution note: ';

  it('given connectivity failures, typed or raw gRPC, then they are "unreachable"; a refusal is not', () => {
    expect(isEsdbUnreachable(new UnavailableError(undefined))).toBe(true);
    expect(isEsdbUnreachable(new DeadlineExceededError(undefined))).toBe(true);
    expect(isEsdbUnreachable(Object.assign(new Error(refused), { code: 14 }))).toBe(true);
    expect(isEsdbUnreachable(Object.assign(new Error('late'), { code: 4 }))).toBe(true);
    expect(
      isEsdbUnreachable(
        new WrongExpectedVersionError(undefined, {
          streamName: 's',
          expected: NO_STREAM,
          current: 0n,
        }),
      ),
    ).toBe(false);
    expect(isEsdbUnreachable(new Error('boom'))).toBe(false);
  });

  it('given a connectivity failure, then StoreUnavailable naming the server, without the gRPC noise', () => {
    const error = esdbStoreError(Object.assign(new Error(refused), { code: 14 }), 'esdb://h:2113');

    expect(error).toBeInstanceOf(StoreUnavailable);
    expect(error).toHaveProperty(
      'message',
      'EventStoreDB at esdb://h:2113 unreachable: No connection established. Last error: Error: connect ECONNREFUSED 127.0.0.1:1',
    );
    const other = new Error('boom');
    expect(esdbStoreError(other, 'esdb://h:2113')).toBe(other);
    expect(esdbHealthReason(other, 'esdb://h:2113')).toBe(
      'EventStoreDB at esdb://h:2113 failed: boom',
    );
    expect(esdbMessageOf(new Error(''))).toBe('no detail');
  });
});
