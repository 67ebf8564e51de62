import { z } from 'zod';
import type { DocumentStore } from '../application/ports/documentStore.js';
import type { RecordedEvent } from '../application/ports/eventStore.js';
import type { Log } from '../application/ports/log.js';
import type { SkippedEvent } from './applyEvents.js';

/** An event of the log the service cannot read, as readiness and metrics name it. */
export type CorruptEventEntry = {
  stream: string;
  revision: string;
  position: string;
  type: string;
};

const entrySchema = z.object({
  stream: z.string(),
  revision: z.string(),
  position: z.string(),
  type: z.string(),
}) satisfies z.ZodType<CorruptEventEntry>;

/**
 * The refund events no reader could decode, one entry per stream. Every reader skips such an
 * event, so it affects only its own refund; they are kept here so that readiness and the metrics
 * still name them after a restart, when the projections' checkpoints are past them.
 */
export const corruptEvents = (documents: DocumentStore) => {
  const collection = documents.collection('corrupt_events', {
    decode: (value) => entrySchema.parse(value),
  });
  return {
    record: async (recorded: RecordedEvent): Promise<void> => {
      const entry: CorruptEventEntry = {
        stream: recorded.streamName,
        revision: recorded.revision.toString(),
        position: recorded.position.toString(),
        type: recorded.type,
      };
      await (await collection).put(recorded.streamName, entry, recorded.position);
    },
    list: async (): Promise<CorruptEventEntry[]> => {
      const entries: CorruptEventEntry[] = [];
      for await (const entry of (await collection).all()) entries.push(entry);
      return entries;
    },
  };
};

export type CorruptEvents = ReturnType<typeof corruptEvents>;

/** Says, loudly and with the reason, that a reader skipped events; keeps them for readiness. */
export const reportSkippedEvents = async (
  skipped: readonly SkippedEvent[],
  { reader, log, registry }: { reader: string; log: Log; registry: CorruptEvents },
): Promise<void> => {
  for (const { recorded, error } of skipped) {
    log.error(
      {
        err: error,
        reader,
        stream: recorded.streamName,
        revision: recorded.revision.toString(),
        position: recorded.position.toString(),
      },
      'skipped an event that cannot be read; only its refund is affected',
    );
    await registry.record(recorded);
  }
};
