import { describe, expect, it } from 'vitest';
import {
  deterministicEventId,
  eventIdNamespace,
  uuidV5,
} from '../../src/application/deterministicEventId.js';

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
