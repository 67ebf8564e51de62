import { z } from 'zod';
import type { DocumentStore } from '../ports/documentStore.js';
import { openedOnFirstUse, writeNextVersion } from '../versionedDocuments.js';
import { reconciliationSchema, type Reconciliation } from './reconciliation.js';

const storedSchema = reconciliationSchema.extend({ version: z.number().int().positive() });

/**
 * One reconciliation per China date, replaced by a re-run (DESIGN §5). Primary data: the log does
 * not hold it (a re-run against the same bill gives it again, but the bill may be gone).
 */
export const openReconciliations = (documents: DocumentStore) => {
  const collection = openedOnFirstUse(() =>
    documents.collection('bill_reconciliations', {
      decode: (value) => storedSchema.parse(value),
      orderedIndexes: [{ equal: [], orderBy: 'checkedAt', direction: 'desc' }],
    }),
  );
  const withoutVersion = ({ version: _version, ...reconciliation }: z.infer<typeof storedSchema>) =>
    reconciliation;
  return {
    get: async (date: string): Promise<Reconciliation | undefined> => {
      const stored = await (await collection()).get(date);
      return stored && withoutVersion(stored);
    },
    /** Replaces the date's reconciliation; of two runs saving at once, the later write stays. */
    save: async (reconciliation: Reconciliation): Promise<void> => {
      const documents = await collection();
      for (;;) {
        const current = await documents.getWithPosition(reconciliation.date);
        const version = Number(current?.position ?? 0n) + 1;
        if (
          await writeNextVersion(documents, reconciliation.date, { ...reconciliation, version })
        ) {
          return;
        }
      }
    },
    /** The reconciliation checked last, whatever its date (the metrics' "last run"). */
    latest: async (): Promise<Reconciliation | undefined> => {
      const page = await (
        await collection()
      ).query({
        orderBy: 'checkedAt',
        direction: 'desc',
        limit: 1,
      });
      const [stored] = page.documents;
      return stored && withoutVersion(stored);
    },
  };
};

export type Reconciliations = ReturnType<typeof openReconciliations>;
