import { compareCodePoints } from '../application/compareCodePoints.js';
import type { DocumentCollection } from '../application/ports/documentStore.js';
import type { JsonObject } from '../application/ports/eventStore.js';
import type { Anomaly, AnomalyKind } from './anomaly.js';
import type { AnomalyKey } from './anomalyLog.js';
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

type Expected = ExpectedDocument<JsonObject> | undefined;
type Stored = { body: JsonObject | undefined; position: bigint } | undefined;

type Verdict = 'same' | 'none' | 'lag' | 'newer' | AnomalyKind;

/**
 * A running service keeps projecting while the audit reads, so a difference is only drift when
 * the read model claims to have applied the event in question: a document at or past the
 * replay's last event for it, or a checkpoint past that event.
 */
const verdict = (expected: Expected, stored: Stored, bounds: ReadModelBounds): Verdict => {
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
  expected: Expected,
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

/** Ids in code point order, checked: a merge of two lists in different orders would misjudge. */
const ascending = (what: string) => {
  let previous: string | undefined;
  return (id: string): string => {
    if (previous !== undefined && compareCodePoints(previous, id) >= 0) {
      throw new Error(`${what} are not in code point order (${previous} before ${id})`);
    }
    previous = id;
    return id;
  };
};

/**
 * Compares a read model with the replay of the log, page by page, in two steps. `check` is told
 * each document the replay has an answer for (its document, or none) and looks the stored ones
 * up in batches; `checkTheRest` then goes through the stored ids, in id order, for the documents
 * no replay was about (extra ones). Memory: one batch.
 *
 * Findings are reported with their place in the report: by id for documents the read model has,
 * then the missing ones by where the replay first produced them (`section` says which read
 * model they are of). Documents are read as stored JSON, not through the read model's schema,
 * so that a field the schema would drop is still seen.
 */
export const createReadModelComparison = (
  { name, section }: { name: string; section: number },
  stored: DocumentCollection<JsonObject>,
  {
    bounds,
    report,
    batchSize = 500,
  }: {
    bounds: ReadModelBounds;
    report: (anomaly: Anomaly, key: AnomalyKey) => void;
    batchSize?: number;
  },
) => {
  const counts: ReadModelComparison = { compared: 0, notYetProjected: 0, newerThanAudit: 0 };
  const judge = (id: string, expected: Expected, found: Stored, key: AnomalyKey) => {
    const result = verdict(expected, found, bounds);
    if (result === 'same') counts.compared += 1;
    else if (result === 'lag') counts.notYetProjected += 1;
    else if (result === 'newer') counts.newerThanAudit += 1;
    else if (result !== 'none') report(anomaly(result, name, id, expected, found), key);
  };

  let batch: { id: string; expected: Expected }[] = [];
  let checks = 0;
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    const looked = batch;
    batch = [];
    const found = await stored.getMany(looked.map(({ id }) => id));
    for (const { id, expected } of looked) {
      const document = found.get(id);
      if (document?.body !== undefined) {
        if (expected && jsonEqual(expected.document, document.body)) counts.compared += 1;
        else judge(id, expected, document, [section, 0, id]);
      } else if (expected) {
        judge(id, expected, document, [section, 1, expected.since]);
      }
    }
  };

  /** The replay's answer for a document: what it should be, or undefined (none). */
  const check = async (id: string, expected: Expected): Promise<void> => {
    checks += 1;
    batch.push({ id, expected });
    if (batch.length >= batchSize) await flush();
  };

  /**
   * Every stored document whose id is not in `checked` (ascending pages of the ids `check` was
   * told about) was produced by no event up to the head. A merge of two id-ordered lists, a page
   * of each at a time.
   */
  const checkTheRest = async (
    checked: AsyncIterable<string[]>,
    onProgress?: (documents: number) => void,
  ): Promise<ReadModelComparison> => {
    await flush();
    const checkedPages = checked[Symbol.asyncIterator]();
    const checkedId = ascending(`the ids the audit checked in ${name}`);
    const storedId = ascending(`the ids the store lists for ${name}`);
    let keys: string[] = [];
    let k = 0;
    let more = true;
    /** The first checked id not before `id`, or undefined when none is left. */
    const checkedFrom = async (id: string): Promise<string | undefined> => {
      for (;;) {
        while (k < keys.length && compareCodePoints(keys[k]!, id) < 0) k += 1;
        if (k < keys.length || !more) return keys[k];
        const next = await checkedPages.next();
        if (next.done) more = false;
        else {
          [keys, k] = [next.value, 0];
          keys.forEach(checkedId);
        }
      }
    };
    let seen = 0;
    for (let after: string | undefined; ;) {
      const page = await stored.positions({
        ...(after !== undefined && { after }),
        limit: batchSize,
      });
      if (page.length === 0) break;
      for (const { id, position } of page) {
        if ((await checkedFrom(storedId(id))) === id) continue;
        if (position > bounds.head) counts.newerThanAudit += 1;
        else {
          const extra = anomaly('READ_MODEL_EXTRA', name, id, undefined, {
            body: undefined,
            position,
          });
          report(extra, [section, 0, id]);
        }
      }
      seen += page.length;
      onProgress?.(seen);
      after = page.at(-1)?.id;
    }
    return counts;
  };

  /** How many documents `check` was told about: about as many as the read model holds. */
  return { check, checkTheRest, checked: () => checks };
};
