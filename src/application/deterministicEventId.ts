import { createHash } from 'node:crypto';
import type { RefundCommand } from '../domain/index.js';
import type { CommandContext } from './eventMetadata.js';
import type { ExpectedRevision } from './ports/eventStore.js';

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** RFC 9562 §5.5: a name-based UUID (version 5, SHA-1) of a name within a namespace UUID. */
export const uuidV5 = (name: string, namespace: string): string => {
  if (!uuidPattern.test(namespace)) throw new Error(`not a UUID: ${namespace}`);
  const hash = createHash('sha1')
    .update(Buffer.from(namespace.replaceAll('-', ''), 'hex'))
    .update(name, 'utf8')
    .digest();
  hash[6] = ((hash[6] ?? 0) & 0x0f) | 0x50;
  hash[8] = ((hash[8] ?? 0) & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
};

/** uuidV5('urn:wechat-refund-service:event-id', the RFC's URL namespace): ours alone. */
export const eventIdNamespace = 'bb35d077-6819-54a7-b94d-0b451f139dcf';

/**
 * The id of the index-th event a command produces. The same command retried (say, after a lost
 * acknowledgement) produces the same ids, and EventStoreDB answers an append of events it already
 * holds at that revision with success instead of writing them twice. The index goes last, after a
 * separator digits never contain, so no two (commandId, index) pairs share a name.
 */
export const deterministicEventId = (commandId: string, index: number): string => {
  if (!Number.isSafeInteger(index) || index < 0) throw new Error(`bad event index: ${index}`);
  return uuidV5(`${commandId}:${index}`, eventIdNamespace);
};

/**
 * The id of one decision: the command, who caused it (its context), the stream and the revision
 * it was decided at. Two different commands never share one: not two of one reconciler run, whose
 * context is shared but whose streams differ, nor two a caller sent under one request id, whose
 * contents differ, nor one command decided again after a conflict, at another revision. The same
 * command appended again at the same revision (say, after a lost acknowledgement) has the same id,
 * so its events have the same ids.
 */
export const commandIdOf = ({
  streamName,
  expected,
  command,
  context,
}: {
  streamName: string;
  expected: ExpectedRevision;
  command: RefundCommand;
  context: CommandContext;
}): string =>
  uuidV5(JSON.stringify([streamName, String(expected), context, command]), eventIdNamespace);
