import type { RecordedEvent } from '../application/ports/eventStore.js';
import { eventMetadataSchema } from '../application/refundEventSchemas.js';
import type { Anomaly, EventRef } from './anomaly.js';

/** Every event must say who caused it (DESIGN §6); undefined when its metadata does. */
export const metadataAnomaly = (recorded: RecordedEvent, at: EventRef): Anomaly | undefined => {
  const parsed = eventMetadataSchema.safeParse(recorded.metadata);
  if (parsed.success) return undefined;
  const fields = [...new Set(parsed.error.issues.map((issue) => issue.path.join('.')))];
  return {
    kind: 'METADATA_INVALID',
    at,
    message: `metadata lacks a valid ${fields.join(', ')}`,
    details: { fields },
  };
};
