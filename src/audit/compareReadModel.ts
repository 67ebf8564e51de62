import type { DocumentCollection } from '../application/ports/documentStore.js';
import type { JsonObject } from '../application/ports/eventStore.js';
import type { Anomaly, AnomalyKind } from './anomaly.js';
import { differingFields, jsonEqual } from './jsonEqual.js';
import type { ExpectedDocument } from './readModelReplay.js';

export type ReadModelBounds = {
  /** The position up to which the read model has applied every event (its checkpoint). */
  checkpoint: bigint | undefined;
  /** The last position the audit replayed. */
  head: bigint;
};

export type ReadModelComparison = {
  /** Documents equal to the replay's. */
  compared: number;
  /** Documents the projection has not caught up with: their last event is past its checkpoint. */
  notYetProjected: number;
  /** Documents shaped by events appended after the audit fixed its head: not comparable. */
  newerThanAudit: number;
};

type Stored = { body: JsonObject | undefined; position: bigint } | undefined;

type Verdict = 'same' | 'none' | 'lag' | 'newer' | AnomalyKind;

/**
 * A running service keeps projecting while the audit reads, so a difference is only drift when
 * the read model claims to have applied the event in question: a document at or past the
 * replay's last event for it, or a checkpoint past that event.
 */
const verdict = (
  expected: ExpectedDocument<JsonObject> | undefined,
  stored: Stored,
  bounds: ReadModelBounds,
): Verdict => {
  if (expected && stored?.body && jsonEqual(expected.document, stored.body)) return 'same';
  if (stored && stored.position > bounds.head) return 'newer';
  if (!expected) return stored?.body ? 'READ_MODEL_EXTRA' : 'none';
  const reached = stored !== undefined && stored.position >= expected.at.position;
  const checkpointPast =
    bounds.checkpoint !== undefined && bounds.checkpoint >= expected.at.position;
  if (!reached && !checkpointPast) return 'lag';
  return stored?.body ? 'READ_MODEL_DIFFERS' : 'READ_MODEL_MISSING';
};

const anomaly = (
  kind: AnomalyKind,
  readModel: string,
  id: string,
  expected: ExpectedDocument<JsonObject> | undefined,
  stored: Stored,
): Anomaly => {
  const where = { readModel, documentId: id };
  if (!expected) {
    return {
      kind,
      message: `${readModel} has document ${id}, which no event up to the audited head produces`,
      details: { ...where, position: stored?.position.toString() ?? null },
    };
  }
  if (!stored?.body) {
    return {
      kind,
      at: expected.at,
      message: `${readModel} has no document ${id}; the replay of the log has one`,
      details: where,
    };
  }
  const body = stored.body;
  const fields = differingFields(expected.document, body);
  return {
    kind,
    at: expected.at,
    message: `${readModel} document ${id} differs from the replay of the log in ${fields.join(', ')}`,
    details: {
      ...where,
      fields: fields.map((field) => ({
        field,
        replayed: expected.document[field] ?? null,
        stored: body[field] ?? null,
      })),
    },
  };
};

/**
 * Compares the stored documents of a read model with the replay's, document by document, and
 * reports the missing, extra and differing ones. Consumes the replay's documents (it forgets each
 * once compared, so memory shrinks as it goes). Documents are read as stored JSON, not through
 * the read model's schema, so that a field the schema would drop is still seen.
 */
export const compareReadModel = async (
  replay: { name: string; documents: Map<string, ExpectedDocument<JsonObject>> },
  stored: DocumentCollection<JsonObject>,
  {
    bounds,
    report,
    onProgress,
  }: {
    bounds: ReadModelBounds;
    report: (anomaly: Anomaly) => void;
    onProgress?: (documents: number) => void;
  },
): Promise<ReadModelComparison> => {
  const counts: ReadModelComparison = { compared: 0, notYetProjected: 0, newerThanAudit: 0 };
  const remaining = replay.documents;
  const judge = (id: string, expected: ExpectedDocument<JsonObject> | undefined, found: Stored) => {
    const result = verdict(expected, found, bounds);
    if (result === 'same') counts.compared += 1;
    else if (result === 'lag') counts.notYetProjected += 1;
    else if (result === 'newer') counts.newerThanAudit += 1;
    else if (result !== 'none') report(anomaly(result, replay.name, id, expected, found));
  };

  let seen = 0;
  for await (const { id, body, position } of stored.entries()) {
    seen += 1;
    if (seen % 1000 === 0) onProgress?.(seen);
    const expected = remaining.get(id);
    remaining.delete(id);
    if (expected && jsonEqual(expected.document, body)) counts.compared += 1;
    else judge(id, expected, { body, position });
  }
  // Not met while paging: missing, or written behind the paging cursor meanwhile.
  for (const [id, expected] of remaining) judge(id, expected, await stored.getWithPosition(id));
  remaining.clear();
  onProgress?.(seen);
  return counts;
};
