import type { JsonObject } from '../application/ports/eventStore.js';
import { eachAudited, type AuditKey } from '../projections/projectionRegistry.js';
import {
  createReadModelReplay,
  type ExpectedDocument,
  type ReadModelReplay,
} from './readModelReplay.js';

/** A read model the audit replays: its name, what its documents belong to, a replay of it. */
export type AuditedModel = {
  name: string;
  keyedBy: AuditKey;
  replay: (owns: (id: string) => boolean) => ReadModelReplay<JsonObject>;
};

export const auditedModels: readonly AuditedModel[] = eachAudited((projection, keyedBy) => ({
  name: projection.name,
  keyedBy,
  replay: (owns) => createReadModelReplay(projection, owns),
}));

/**
 * What one fold is to do with what it finds. The refunds it is given are judged and counted by
 * it (`judge`) or by another fold; an order's tally, or a document's replay, is its own when
 * `owns…` says so (they may throw, to say the fold was given the wrong refunds for it).
 */
export type FoldScope = {
  judge: boolean;
  ownsOrder: (order: string) => boolean;
  ownsDocument: (model: AuditedModel, id: string) => boolean;
  /** The read models to replay. */
  models: readonly AuditedModel[];
};

/** The documents a fold replayed, by read model (as `models` lists them), then by id. */
export type Replayed = Map<string, ExpectedDocument<JsonObject>>[];
