import { randomUUID } from 'node:crypto';
import type { EventStore, JsonObject } from '../../src/application/ports/eventStore.js';

const metadata = { correlationId: 'c', causationId: 'c', source: 'api', schemaVersion: 1 };

/**
 * Appends one event, whatever it says, at the end of its stream: past the decider, as a bug or a
 * hand edit would. Its position.
 */
export const appendUnchecked = async (
  events: EventStore,
  stream: string,
  type: string,
  data: JsonObject,
): Promise<bigint> => {
  const existing = await events.readStream(stream);
  const expected = existing.length === 0 ? 'no_stream' : BigInt(existing.length - 1);
  const result = await events.append(
    stream,
    [{ id: randomUUID(), type, data, metadata }],
    expected,
  );
  if (!result.ok) throw new Error(`conflict on ${stream}`);
  return result.position;
};
