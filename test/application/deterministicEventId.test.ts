import { describe, expect, it } from 'vitest';
import {
  commandIdOf,
  deterministicEventId,
  eventIdNamespace,
  uuidV5,
} from '../../src/application/deterministicEventId.js';
import { createRefundCommandHandler } from '../../src/application/handleRefundCommand.js';
import { acceptRefund, requestRefund } from '../domain/refund/refundFixtures.js';
import { sqliteStoresPerTest } from '../support/fixtures.js';

const dnsNamespace = '6ba7b810-9dad-11d1-80b4-00c04fd430c8';
const urlNamespace = '6ba7b811-9dad-11d1-80b4-00c04fd430c8';

describe('deterministic event ids (UUIDv5)', () => {
  it('given the known vectors, then uuidV5 matches them', () => {
    // Python's documentation: uuid.uuid5(uuid.NAMESPACE_DNS, 'python.org').
    expect(uuidV5('python.org', dnsNamespace)).toBe('886313e1-3b8a-5372-9b90-0c9aee199e5d');
    expect(uuidV5('www.example.com', dnsNamespace)).toBe('2ed6657d-e927-568b-95e1-2665a8aea6a2');
    // Names are hashed as UTF-8.
    expect(uuidV5('https://example.com/退款', urlNamespace)).toBe(
      '6a909ee6-e124-5197-a89f-00c72637ea68',
    );
  });

  it('given the service namespace, then it is the v5 UUID of its URN', () => {
    expect(uuidV5('urn:wechat-refund-service:event-id', urlNamespace)).toBe(eventIdNamespace);
  });

  it('given a command id and an index, then the id is stable, versioned 5 and distinct per index', () => {
    const first = deterministicEventId('cmd-1', 0);

    expect(first).toBe('ae1c6473-809e-5377-bb84-336587a9b79b');
    expect(deterministicEventId('cmd-1', 0)).toBe(first);
    expect(deterministicEventId('cmd-1', 1)).toBe('180ae6c2-cbd8-5320-9a7a-2b4cc39587cd');
    expect(first[14]).toBe('5');
    expect(['8', '9', 'a', 'b']).toContain(first[19]);
  });

  it('given a bad index or namespace, then it refuses', () => {
    expect(() => deterministicEventId('cmd-1', -1)).toThrow();
    expect(() => deterministicEventId('cmd-1', 1.5)).toThrow();
    expect(() => uuidV5('x', 'not-a-uuid')).toThrow();
  });
});

describe('the event ids the command handler writes', () => {
  const stores = sqliteStoresPerTest();

  const run = { correlationId: 'run-1', causationId: 'run-1', source: 'reconciler' } as const;

  it('given a command, then its events’ ids are those of its decision: stream, revision, context and command', async () => {
    const handle = createRefundCommandHandler({ events: stores.events });
    const request = requestRefund();
    await handle(request, run);
    const accept = acceptRefund();
    await handle(accept, run);

    const ids = (await stores.events.readStream('refund-R1')).map((e) => e.id);
    expect(ids).toEqual([
      deterministicEventId(
        commandIdOf({
          streamName: 'refund-R1',
          expected: 'no_stream',
          command: request,
          context: run,
        }),
        0,
      ),
      deterministicEventId(
        commandIdOf({ streamName: 'refund-R1', expected: 0n, command: accept, context: run }),
        0,
      ),
    ]);
  });

  it('given one reconciler run (one context) settling several refunds, then no two of their events share an id', async () => {
    const handle = createRefundCommandHandler({ events: stores.events });
    for (const outRefundNo of ['R1', 'R2', 'R3']) {
      await handle(requestRefund({ outRefundNo, outTradeNo: `T-${outRefundNo}` }), run);
      await handle(acceptRefund({ outRefundNo }), run);
    }

    const all = await stores.events.readCategory('refund', { limit: 100 });
    expect(all).toHaveLength(6);
    expect(new Set(all.map((e) => e.id)).size).toBe(6);
  });

  it('given decisions that differ in stream, revision, context or command, then their ids differ; the same decision again, the same id', () => {
    const decision = {
      streamName: 'refund-R1',
      expected: 3n,
      command: acceptRefund(),
      context: run,
    } as const;
    const id = commandIdOf(decision);

    expect(commandIdOf({ ...decision })).toBe(id);
    for (const other of [
      { ...decision, streamName: 'refund-R2' },
      { ...decision, expected: 4n },
      { ...decision, expected: 'no_stream' as const },
      { ...decision, context: { ...run, causationId: 'run-2' } },
      { ...decision, command: acceptRefund({ refundFee: 1 }) },
    ]) {
      expect(commandIdOf(other)).not.toBe(id);
    }
  });
});
