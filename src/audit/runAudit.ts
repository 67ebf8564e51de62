import type { DocumentCollection, DocumentStore } from '../application/ports/documentStore.js';
import type { EventStore, JsonObject } from '../application/ports/eventStore.js';
import { readCategoryUpTo } from '../application/readCategoryUpTo.js';
import { refundCategory } from '../application/refundEventCodec.js';
import { generationCollectionName, projectionStorage } from '../projections/projectionStorage.js';
import type { AuditReport, ReadModelCheck } from './auditReport.js';
import { compareReadModel } from './compareReadModel.js';
import { createAudit, type AuditedReadModel } from './createAudit.js';
import { isJsonObject } from './jsonEqual.js';

export type AuditProgress =
  | { phase: 'replay'; events: number; first: bigint; position: bigint; head: bigint }
  | { phase: 'compare'; readModel: string; documents: number; expected: number };

type StoredReadModel =
  | { checked: false; reason: string }
  | {
      checked: true;
      generation: number;
      checkpoint: bigint | undefined;
      collection: DocumentCollection<JsonObject>;
    };

/** Documents come back from JSON.parse, so an object's values are JSON values too. */
const storedJson = (value: unknown): JsonObject => {
  if (!isJsonObject(value)) throw new Error('a stored document is not a JSON object');
  return value;
};

/** The generation readers use now (projectionStorage's registry) and how far it has applied the log. */
const storedReadModel = async (
  documents: DocumentStore,
  name: string,
): Promise<StoredReadModel> => {
  const storage = projectionStorage(documents);
  const entry = await storage.entry(name);
  if (!entry) return { checked: false, reason: 'no generation is registered: never built' };
  const collectionName = generationCollectionName({ name }, entry.generation);
  return {
    checked: true,
    generation: entry.generation,
    checkpoint: await storage.checkpoint(collectionName),
    collection: await documents.collection(collectionName, { decode: storedJson }),
  };
};

/**
 * Replays every refund event of the log through the audit, then compares the read models with
 * the replay. Reads through the ports only, page by page, so it works on any adapter and beside
 * a running service; `documents` undefined: there is no read-model store to compare.
 */
export const runAudit = async ({
  events,
  documents,
  now,
  staleAfterSeconds,
  pageSize = 1000,
  maxAnomalies,
  onProgress,
}: {
  events: EventStore;
  documents: DocumentStore | undefined;
  now: Date;
  staleAfterSeconds: number;
  pageSize?: number;
  maxAnomalies?: number;
  onProgress?: (progress: AuditProgress) => void;
}): Promise<AuditReport> => {
  const audit = createAudit({
    now,
    staleAfterSeconds,
    ...(maxAnomalies !== undefined && { maxAnomalies }),
  });
  // The read models' checkpoints before the log's head: every event they say they have applied
  // is then within what the audit replays.
  const stored = new Map<AuditedReadModel, StoredReadModel>();
  for (const model of audit.readModels) {
    stored.set(
      model,
      documents
        ? await storedReadModel(documents, model.name)
        : { checked: false, reason: 'no read-model store' },
    );
  }
  const head = await events.headPosition(refundCategory);

  let count = 0;
  let first: bigint | undefined;
  for await (const page of readCategoryUpTo(events, refundCategory, { head, pageSize })) {
    for (const recorded of page) audit.add(recorded);
    count += page.length;
    first ??= page[0]?.position;
    const last = page.at(-1);
    if (onProgress && first !== undefined && last && head !== undefined) {
      onProgress({ phase: 'replay', events: count, first, position: last.position, head });
    }
  }

  const readModelChecks: ReadModelCheck[] = [];
  for (const model of audit.readModels) {
    const { name, documents: expected } = model;
    const found = stored.get(model);
    if (!found?.checked) {
      readModelChecks.push({ name, checked: false, reason: found?.reason ?? 'not looked up' });
      expected.clear();
      continue;
    }
    const total = expected.size;
    const comparison = await compareReadModel(model, found.collection, {
      bounds: { checkpoint: found.checkpoint, head: head ?? 0n },
      report: audit.report,
      onProgress: (documents) =>
        onProgress?.({ phase: 'compare', readModel: name, documents, expected: total }),
    });
    readModelChecks.push({
      name,
      checked: true,
      generation: found.generation,
      checkpoint: found.checkpoint?.toString() ?? null,
      ...comparison,
    });
  }
  return audit.finish({ head, readModelChecks });
};
