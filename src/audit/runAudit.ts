import { compareCodePoints } from '../application/compareCodePoints.js';
import type { DocumentStore } from '../application/ports/documentStore.js';
import type { EventStore } from '../application/ports/eventStore.js';
import type { RefundLogByOrder } from '../application/ports/refundLogByOrder.js';
import { refundCategory } from '../application/refundEventCodec.js';
import type { AuditReport, ReadModelCheck } from './auditReport.js';
import { createReadModelComparison } from './compareReadModel.js';
import { auditedModels, type AuditedModel, type FoldScope } from './auditedModels.js';
import { createAudit } from './createAudit.js';
import { refundLogInMemory } from './refundLogInMemory.js';
import { storedReadModel, type StoredReadModel } from './storedReadModel.js';
import {
  mergeAscending,
  refundsOf,
  StrayMet,
  touchedByStrays,
  type Touched,
} from './strayEvents.js';

export type AuditProgress =
  | { phase: 'replay'; events: number; total: number }
  | { phase: 'compare'; readModel: string; documents: number; expected: number };

type Pass = {
  log: RefundLogByOrder;
  /** Known stray events' reach (undefined: none known yet; one met throws StrayMet). */
  touched: Touched | undefined;
  stored: Map<AuditedModel, StoredReadModel>;
  now: Date;
  staleAfterSeconds: number;
  maxAnomalies: number | undefined;
  onProgress: ((progress: AuditProgress) => void) | undefined;
};

/**
 * One reading of the log, a group (an order) at a time: each group's refunds are judged, its
 * order tallied and its documents replayed and looked up, unless strays touch them; then what the
 * strays touch, from the whole streams involved; then the stored documents no replay was about.
 */
const auditPass = async ({ log, touched, stored, ...options }: Pass): Promise<AuditReport> => {
  const { now, staleAfterSeconds, maxAnomalies, onProgress } = options;
  const audit = createAudit({
    now,
    staleAfterSeconds,
    ...(maxAnomalies !== undefined && { maxAnomalies }),
  });
  const compared = auditedModels.flatMap((model, index) => {
    const found = stored.get(model);
    if (!found?.checked) return [];
    const bounds = { checkpoint: found.checkpoint, head: log.head ?? 0n };
    const section = { name: model.name, section: 1 + index };
    const comparison = createReadModelComparison(section, found.collection, {
      bounds,
      report: audit.report,
    });
    return [{ model, found, comparison }];
  });
  const models = compared.map(({ model }) => model);
  const isTouched = (model: AuditedModel, id: string) =>
    model.keyedBy === 'refund' ? touched?.refunds.has(id) : touched?.orders.has(id);
  const stray = (): false => {
    if (touched)
      throw new Error(
        'internal: an event of another order or refund was not counted among the strays',
      );
    throw new StrayMet();
  };

  let replayed = 0;
  let reported = 0;
  for await (const group of log.groups()) {
    const refunds = refundsOf(group);
    const ownIds = (model: AuditedModel) =>
      model.keyedBy === 'refund' ? refunds : group.order === null ? [] : [group.order];
    const scope: FoldScope = {
      judge: true,
      ownsOrder: (order) => (touched?.orders.has(order) ? false : order === group.order || stray()),
      ownsDocument: (model, id) =>
        isTouched(model, id)
          ? false
          : (model.keyedBy === 'refund' ? refunds.includes(id) : id === group.order) || stray(),
      models,
    };
    const documents = audit.fold(group.streams, scope);
    for (const [index, { model, comparison }] of compared.entries()) {
      for (const id of ownIds(model)) {
        if (!isTouched(model, id)) await comparison.check(id, documents[index]?.get(id));
      }
    }
    for (const { events } of group.streams) replayed += events.length;
    if (replayed - reported >= 1000 || replayed === log.events) {
      reported = replayed;
      onProgress?.({ phase: 'replay', events: replayed, total: log.events });
    }
  }

  const sorted = {
    orders: [...(touched?.orders ?? [])].sort(compareCodePoints),
    refunds: [...(touched?.refunds ?? [])].sort(compareCodePoints),
  };
  if (sorted.orders.length + sorted.refunds.length > 0) {
    const streams = await log.streamsNaming(sorted);
    const documents = audit.fold(streams, {
      judge: false,
      ownsOrder: (order) => touched?.orders.has(order) ?? false,
      ownsDocument: (model, id) => isTouched(model, id) ?? false,
      models,
    });
    for (const [index, { model, comparison }] of compared.entries()) {
      for (const id of model.keyedBy === 'refund' ? sorted.refunds : sorted.orders) {
        await comparison.check(id, documents[index]?.get(id));
      }
    }
  }

  const readModelChecks: ReadModelCheck[] = [];
  for (const model of auditedModels) {
    const found = stored.get(model);
    const comparing = compared.find((c) => c.model === model);
    if (!found?.checked || !comparing) {
      const reason = found?.checked === false ? found.reason : 'not looked up';
      readModelChecks.push({ name: model.name, checked: false, reason });
      continue;
    }
    const kind = model.keyedBy === 'refund' ? 'refunds' : 'orders';
    const checked = mergeAscending(log.keys(kind), sorted[kind]);
    const counts = await comparing.comparison.checkTheRest(checked, (documents) =>
      onProgress?.({
        phase: 'compare',
        readModel: model.name,
        documents,
        expected: comparing.comparison.checked(),
      }),
    );
    readModelChecks.push({
      name: model.name,
      checked: true,
      generation: found.generation,
      checkpoint: found.checkpoint?.toString() ?? null,
      ...counts,
    });
  }
  return audit.finish({ head: log.head, readModelChecks });
};

/**
 * Replays every refund event of the log through the audit, and compares the read models with the
 * replay. Reads through the ports only, page by page, so it works on any adapter and beside a
 * running service; `documents` undefined: there is no read-model store to compare.
 *
 * `openLog` gives the log grouped by order (RefundLogByOrder) up to a head; without it the log
 * is grouped in memory. Strays (events of another order or refund than their stream's) are
 * rare: the audit assumes there are none, and when it meets one, reads the log again knowing
 * them all.
 */
export const runAudit = async ({
  events,
  documents,
  now,
  staleAfterSeconds,
  pageSize = 1000,
  maxAnomalies,
  onProgress,
  openLog = (head) => refundLogInMemory(events, head, { pageSize }),
}: {
  events: EventStore;
  documents: DocumentStore | undefined;
  now: Date;
  staleAfterSeconds: number;
  pageSize?: number;
  maxAnomalies?: number;
  onProgress?: (progress: AuditProgress) => void;
  openLog?: (head: bigint | undefined) => Promise<RefundLogByOrder>;
}): Promise<AuditReport> => {
  // The read models' checkpoints before the log's head: every event they say they have applied
  // is then within what the audit replays.
  const stored = new Map<AuditedModel, StoredReadModel>();
  for (const model of auditedModels) {
    stored.set(
      model,
      documents
        ? await storedReadModel(documents, model.name)
        : { checked: false, reason: 'no read-model store' },
    );
  }
  const head = await events.headPosition(refundCategory);
  const log = await openLog(head);
  const pass = { log, stored, now, staleAfterSeconds, maxAnomalies, onProgress };
  try {
    return await auditPass({ ...pass, touched: undefined });
  } catch (error) {
    if (!(error instanceof StrayMet)) throw error;
    return await auditPass({ ...pass, touched: await touchedByStrays(log) });
  } finally {
    await log.close();
  }
};
