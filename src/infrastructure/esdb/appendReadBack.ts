import {
  BACKWARDS,
  END,
  FORWARDS,
  StreamNotFoundError,
  type EventStoreDBClient,
} from '@eventstore/db-client';
import type { RecordedEvent } from '../../application/ports/eventStore.js';
import { toRecordedEvent } from './esdbEventMapping.js';

/**
 * What appendOutcome reads back from a stream when the append result does not say it: the
 * position of the event at a revision, and the stream's current revision.
 */
export const appendReadBack = (client: EventStoreDBClient, streamName: string) => {
  const readOne = async (
    from:
      | { direction: typeof FORWARDS; fromRevision: bigint }
      | { direction: typeof BACKWARDS; fromRevision: typeof END },
  ): Promise<RecordedEvent | undefined> => {
    try {
      // Read to its end (one event at most): leaving the stream early would leave the call open.
      let found: RecordedEvent | undefined;
      for await (const resolved of client.readStream(streamName, { ...from, maxCount: 1 })) {
        found = toRecordedEvent(resolved);
      }
      return found;
    } catch (error) {
      if (error instanceof StreamNotFoundError) return undefined;
      throw error;
    }
  };
  return {
    positionAt: async (revision: bigint): Promise<bigint> => {
      const event = await readOne({ direction: FORWARDS, fromRevision: revision });
      if (!event) throw new Error(`${streamName} has no event ${revision} right after an append`);
      return event.position;
    },
    currentRevision: async (): Promise<bigint | 'no_stream'> =>
      (await readOne({ direction: BACKWARDS, fromRevision: END }))?.revision ?? 'no_stream',
  };
};
