import { BSON, Long, MongoNetworkError, MongoServerError, MongoTopologyClosedError } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { StoreUnavailable } from '../../../src/application/ports/storeHealth.js';
import {
  decodeStored,
  encodePosition,
  findByFilter,
  guardedWrite,
  indexOn,
  maxPosition,
  orderedIndexOn,
  pageFilter,
  queryFilter,
  querySort,
  runGuardedUpsert,
  wasWritten,
} from '../../../src/infrastructure/mongo/mongoDocumentCodec.js';
import {
  isDuplicateKey,
  isMongoUnreachable,
  mongoHealthReason,
  mongoStoreError,
} from '../../../src/infrastructure/mongo/mongoErrors.js';

const duplicateKey = () =>
  new MongoServerError({
    message: 'E11000 duplicate key error collection: refunds.c',
    code: 11000,
  });

/** What the server sees: the document as BSON, and what the driver (useBigInt64) gives back. */
const roundTrip = (document: BSON.Document) =>
  BSON.deserialize(BSON.serialize(document), { useBigInt64: true });

describe('MongoDB position encoding', () => {
  const around = (p: bigint) => [p - 1n, p, p + 1n];
  const interesting = [
    0n,
    1n,
    ...around(2n ** 53n),
    ...around(2n ** 62n),
    maxPosition - 1n,
    maxPosition,
  ];

  it('given positions around 2^53 and up to 2^63-1, then BSON int64 carries each exactly', () => {
    for (const position of interesting) {
      expect(roundTrip({ position: encodePosition(position) })['position']).toBe(position);
    }
  });

  it('given neighbouring positions, then their int64 encodings order as the positions do', () => {
    // Long.compare is the signed 64-bit comparison the server applies to int64 values.
    for (const [a, b] of interesting.slice(1).map((p, i) => [interesting[i]!, p] as const)) {
      expect(encodePosition(a).compare(encodePosition(b)), `${a} < ${b}`).toBe(-1);
    }
    // What a double would have done: 2^53 and 2^53+1 are the same number.
    expect(Number(2n ** 53n)).toBe(Number(2n ** 53n + 1n));
  });

  it('given a position outside 0..2^63-1, then it refuses rather than wrap', () => {
    expect(() => encodePosition(-1n)).toThrow(RangeError);
    expect(() => encodePosition(maxPosition + 1n)).toThrow(RangeError);
  });
});

describe('MongoDB document layout', () => {
  it('given a write, then the filter matches only an older document and the update sets position and body', () => {
    const { filter, update } = guardedWrite('R1', 2n ** 53n + 1n, { status: 'ACCEPTED' });

    expect(filter).toEqual({ _id: 'R1', position: { $lt: Long.fromBigInt(2n ** 53n + 1n) } });
    expect(update).toEqual({
      $set: { position: Long.fromBigInt(2n ** 53n + 1n), body: { status: 'ACCEPTED' } },
    });
    expect(roundTrip(update)).toEqual({
      $set: { position: 2n ** 53n + 1n, body: { status: 'ACCEPTED' } },
    });
  });

  it('given a delete, then it is the same guarded write with a null body (a tombstone)', () => {
    expect(guardedWrite('R1', 7n, null).update).toEqual({
      $set: { position: Long.fromBigInt(7n), body: null },
    });
  });

  it('given indexed fields, then an index per field on the body, with _id for id order', () => {
    expect(indexOn('outTradeNo')).toEqual({
      key: { 'body.outTradeNo': 1, _id: 1 },
      name: 'body_outTradeNo',
    });
    expect(findByFilter('status', ['REQUESTED', 'ACCEPTED'])).toEqual({
      'body.status': { $in: ['REQUESTED', 'ACCEPTED'] },
    });
    expect(findByFilter('open', [false])).toEqual({ 'body.open': { $in: [false] } });
  });

  it('given paging, then live documents after the last id', () => {
    expect(pageFilter(undefined)).toEqual({ body: { $ne: null } });
    expect(pageFilter('id-00499')).toEqual({ _id: { $gt: 'id-00499' }, body: { $ne: null } });
  });

  it('given a stored document, then its body through the decoder and its exact position', () => {
    const stored = roundTrip({
      _id: 'R1',
      position: encodePosition(maxPosition),
      body: { status: 'SUCCEEDED', refundId: '50000408942018111907145868882', amount: 3960 },
    });

    expect(decodeStored(stored, (body) => body)).toEqual({
      id: 'R1',
      body: { status: 'SUCCEEDED', refundId: '50000408942018111907145868882', amount: 3960 },
      position: maxPosition,
    });
    expect(decodeStored({ _id: 'R1', position: 3n, body: null }, () => 'never')).toEqual({
      id: 'R1',
      body: undefined,
      position: 3n,
    });
  });

  it('given a stored document of another shape (a Long not read as bigint, no body), then it is refused', () => {
    expect(() =>
      decodeStored({ _id: 'R1', position: Long.fromInt(3), body: {} }, (b) => b),
    ).toThrow();
    expect(() => decodeStored({ _id: 'R1', position: 3n }, (b) => b)).toThrow();
    expect(() => decodeStored({ _id: 1, position: 3n, body: {} }, (b) => b)).toThrow();
  });
});

describe('MongoDB guarded upsert', () => {
  it('given an update that matched or inserted, then written; neither, then not', () => {
    expect(wasWritten({ matchedCount: 1, upsertedCount: 0 })).toBe(true);
    expect(wasWritten({ matchedCount: 0, upsertedCount: 1 })).toBe(true);
    expect(wasWritten({ matchedCount: 0, upsertedCount: 0 })).toBe(false);
  });

  it('given a duplicate key once (another writer inserted first), then it tries again and the filter decides', async () => {
    const outcomes = [
      () => Promise.reject(duplicateKey()),
      () => Promise.resolve({ matchedCount: 1, upsertedCount: 0 }),
    ];
    let calls = 0;

    expect(await runGuardedUpsert(() => outcomes[calls++]!())).toBe(true);
    expect(calls).toBe(2);
  });

  it('given a duplicate key twice (a document at this position or later), then not written', async () => {
    let calls = 0;

    expect(
      await runGuardedUpsert(() => {
        calls += 1;
        return Promise.reject(duplicateKey());
      }),
    ).toBe(false);
    expect(calls).toBe(2);
  });

  it('given any other error, then it is thrown, not taken for "older"', async () => {
    const refused = new MongoServerError({ message: 'not authorized', code: 13 });

    await expect(runGuardedUpsert(() => Promise.reject(refused))).rejects.toBe(refused);
  });
});

describe('MongoDB error mapping', () => {
  it('given driver errors, then duplicate keys and unreachable servers are told apart', () => {
    expect(isDuplicateKey(duplicateKey())).toBe(true);
    expect(isDuplicateKey(new MongoServerError({ message: 'x', code: 13 }))).toBe(false);
    expect(isDuplicateKey(new Error('E11000'))).toBe(false);

    expect(isMongoUnreachable(new MongoNetworkError('connect ECONNREFUSED 127.0.0.1:1'))).toBe(
      true,
    );
    expect(isMongoUnreachable(new MongoTopologyClosedError())).toBe(true);
    expect(isMongoUnreachable(duplicateKey())).toBe(false);
  });

  it('given an unreachable server, then StoreUnavailable naming it; anything else unchanged', () => {
    const refused = new MongoNetworkError('connect ECONNREFUSED 127.0.0.1:1');

    const mapped = mongoStoreError(refused, 'mongodb://h:27017');
    expect(mapped).toBeInstanceOf(StoreUnavailable);
    expect(mapped).toHaveProperty(
      'message',
      'MongoDB at mongodb://h:27017 unreachable: connect ECONNREFUSED 127.0.0.1:1',
    );
    const other = duplicateKey();
    expect(mongoStoreError(other, 'mongodb://h:27017')).toBe(other);
    expect(mongoHealthReason(other, 'mongodb://h:27017')).toMatch(
      /^MongoDB at mongodb:\/\/h:27017 failed: E11000/,
    );
  });

  describe('ordered queries', () => {
    const query = {
      where: { status: 'FAILED', 'failure.code': 'NOTENOUGH' },
      orderBy: 'requestedAt',
      direction: 'desc',
      range: { min: '2026-11-01', max: '2026-11-30' },
      limit: 20,
    } as const;

    it('given an ordered index, then a compound key: equal fields, the order field in its direction, then _id', () => {
      expect(
        orderedIndexOn({ equal: ['failure.code'], orderBy: 'requestedAt', direction: 'desc' }),
      ).toEqual({
        key: { 'body.failure.code': 1, 'body.requestedAt': -1, _id: 1 },
        name: 'by_failure_code_requestedAt_desc',
      });
      expect(querySort(query)).toEqual({ 'body.requestedAt': -1, _id: 1 });
    });

    it('given a query after a cursor, then the filter keeps the range and continues past (value, id)', () => {
      expect(queryFilter(query, { value: '2026-11-28', id: 'R9' })).toEqual({
        $and: [
          { 'body.status': 'FAILED' },
          { 'body.failure.code': 'NOTENOUGH' },
          { 'body.requestedAt': { $ne: null } },
          { 'body.requestedAt': { $gte: '2026-11-01' } },
          { 'body.requestedAt': { $lte: '2026-11-30' } },
          { 'body.requestedAt': { $lte: '2026-11-28' } },
          { $nor: [{ 'body.requestedAt': '2026-11-28', _id: { $lte: 'R9' } }] },
        ],
      });
      expect(
        queryFilter({ orderBy: 'dueAt', direction: 'asc', limit: 1 }, { value: 5, id: 'a' }),
      ).toEqual({
        $and: [
          { 'body.dueAt': { $ne: null } },
          { 'body.dueAt': { $gte: 5 } },
          { $nor: [{ 'body.dueAt': 5, _id: { $lte: 'a' } }] },
        ],
      });
    });
  });
});
