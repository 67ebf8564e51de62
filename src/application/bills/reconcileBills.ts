import { chinaDateOf, isCalendarDate } from '../chinaDate.js';
import type { Clock } from '../ports/clock.js';
import { BillDateRefused, BillUnavailable } from './billErrors.js';
import type { BillLog } from './billLog.js';
import type { Bill, BillItem } from './billRecords.js';
import { compareBill } from './compareBill.js';
import { summarize, type Reconciliation } from './reconciliation.js';
import type { Reconciliations } from './reconciliationStore.js';
import { recordMissingRefunds, type RecordMissingRefundsDeps } from './recordMissingRefunds.js';

export type BillReconciliationDeps = Omit<RecordMissingRefundsDeps, 'log'> & {
  log: BillLog;
  reconciliations: Reconciliations;
  clock: Clock;
  /** Resolves once the read model the comparison reads has caught up with the log as it is now. */
  caughtUp: () => Promise<void>;
  /** The bill of a date as the configured API version downloads it; throws BillUnavailable. */
  fetchBill?: (date: string) => Promise<Bill>;
};

const noItems = async function* (): AsyncIterable<BillItem> {};

/** Refuses what is no China date, or one whose bill cannot exist yet (after today in China). */
export const checkBillDate = (date: string, now: Date): void => {
  if (!isCalendarDate(date)) throw new BillDateRefused(`${date} is not a date YYYY-MM-DD`);
  if (date > chinaDateOf(now)) {
    throw new BillDateRefused(`${date} is in the future (China time): it has no bill`);
  }
};

/**
 * Reconciles WeChat's refund bill of a China date with the log (BILLS.md §3): compares the bill
 * read whole, records its SUCCESS rows the log did not have, stores the result (replacing the
 * date's previous one) and returns it. A bill that cannot be read is refused whole: nothing is
 * recorded, nothing stored.
 */
export const createBillReconciliation = (deps: BillReconciliationDeps) => {
  const reconcile = async (date: string, bill: Bill): Promise<Reconciliation> => {
    try {
      return await reconcileRead(date, bill);
    } finally {
      if (bill.kind === 'bill') await bill.close?.();
    }
  };

  const reconcileRead = async (date: string, bill: Bill): Promise<Reconciliation> => {
    checkBillDate(date, deps.clock.now());
    await deps.caughtUp();
    const items = bill.kind === 'bill' ? bill.items : noItems();
    const comparison = await compareBill(date, items, deps.log);
    const missing = await recordMissingRefunds(date, comparison.missingFromLog, deps);
    const reconciliation: Reconciliation = {
      date,
      billType: 'REFUND',
      checkedAt: deps.clock.now().toISOString(),
      ...summarize([...comparison.discrepancies, ...missing], comparison.matched),
      billSource: bill.source,
      billExists: bill.kind === 'bill',
      billRows: comparison.rows,
    };
    await deps.reconciliations.save(reconciliation);
    return reconciliation;
  };

  return {
    reconcile,
    /** Downloads the date's bill and reconciles it; BillUnavailable when WeChat has none yet. */
    run: async (date: string): Promise<Reconciliation> => {
      checkBillDate(date, deps.clock.now());
      if (deps.fetchBill === undefined) {
        throw new BillUnavailable('there is no WeChat Pay client to download the bill with');
      }
      return reconcile(date, await deps.fetchBill(date));
    },
    get: (date: string): Promise<Reconciliation | undefined> => deps.reconciliations.get(date),
  };
};

export type BillReconciliation = ReturnType<typeof createBillReconciliation>;
