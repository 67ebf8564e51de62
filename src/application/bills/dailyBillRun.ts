import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { addDays, chinaDateOf, chinaInstant } from '../chinaDate.js';
import { errorMessage } from '../errorMessage.js';
import { startRepeating } from '../startRepeating.js';
import type { Clock } from '../ports/clock.js';
import type { DocumentStore } from '../ports/documentStore.js';
import type { Log } from '../ports/log.js';
import { openedOnFirstUse, writeNextVersion } from '../versionedDocuments.js';
import { BillUnavailable } from './billErrors.js';
import type { Reconciliation } from './reconciliation.js';

/**
 * The daily run of one bill date, shared by every instance on the store: who runs it and until
 * when (a lease), or when it may be tried again, or that it is done.
 */
const billRunSchema = z.object({
  date: z.string(),
  status: z.enum(['running', 'waiting', 'done', 'abandoned']),
  owner: z.string(),
  /** running: until when the owner holds it; waiting: when it may be tried again. */
  until: z.string(),
  attempts: z.number().int(),
  lastError: z.string().exactOptional(),
  version: z.number().int().positive(),
});
type BillRun = z.infer<typeof billRunSchema>;

export type DailyBillRunOptions = {
  documents: DocumentStore;
  /** Reconciles the bill of a date (downloads it); BillUnavailable when WeChat has none yet. */
  reconcile: (date: string) => Promise<Reconciliation>;
  clock: Clock;
  log: Log;
  /** BILL_RECONCILE_TIME, as minutes after midnight in China. */
  minutesIntoDay: number;
  /** How long a run is held by its instance; a crashed one's run is taken over after it. */
  leaseMs?: number;
  /** The wait after a bill that is not generated yet, or any failed try (30 minutes). */
  retryMs?: number;
  /** How often the clock is looked at: it may be a test's, moved by hand. */
  checkIntervalMs?: number;
};

/**
 * Each day at BILL_RECONCILE_TIME (China time), the reconciliation of yesterday's bill (DESIGN
 * §4); tried again every 30 minutes while the bill is not generated yet (or WeChat does not
 * answer), until the next day's run is due. A service that was down at that time runs it when it
 * starts.
 *
 * Several instances on one store: a run is claimed with a compare-and-set on the date's run
 * document (the document store's guarded write), so one instance does it per day; another takes
 * it over only once the lease of one that crashed has run out. That is about effort, not safety:
 * two runs of one day would still record each refund missing from the log once (the log's
 * optimistic concurrency, and the events' deterministic ids), and the later result would stand.
 */
export const startDailyBillRun = ({
  documents,
  reconcile,
  clock,
  log,
  minutesIntoDay,
  leaseMs = 3_600_000,
  retryMs = 1_800_000,
  checkIntervalMs = 60_000,
}: DailyBillRunOptions) => {
  const owner = randomUUID();
  const runs = openedOnFirstUse(() =>
    documents.collection('bill_runs', { decode: (value) => billRunSchema.parse(value) }),
  );

  /** The latest run time that has come, and the bill date it is for (the day before). */
  const dueNow = (now: Date): { date: string; nextDueAt: Date } => {
    const today = chinaDateOf(now);
    const day = now >= chinaInstant(today, minutesIntoDay) ? today : addDays(today, -1);
    return { date: addDays(day, -1), nextDueAt: chinaInstant(addDays(day, 1), minutesIntoDay) };
  };

  /** Claims the date's run when it is this instance's to do now; the claimed document. */
  const claim = async (date: string, now: Date): Promise<BillRun | undefined> => {
    const collection = await runs();
    const current = await collection.get(date);
    if (current?.status === 'done' || current?.status === 'abandoned') return undefined;
    if (current !== undefined && new Date(current.until) > now) return undefined;
    const claimed: BillRun = {
      date,
      status: 'running',
      owner,
      until: new Date(now.getTime() + leaseMs).toISOString(),
      attempts: (current?.attempts ?? 0) + 1,
      version: (current?.version ?? 0) + 1,
    };
    return (await writeNextVersion(collection, date, claimed)) ? claimed : undefined;
  };

  const runClaimed = async (run: BillRun, nextDueAt: Date): Promise<void> => {
    let next: BillRun;
    try {
      const result = await reconcile(run.date);
      log.info(
        { date: run.date, clean: result.clean, counts: result.counts },
        'reconciled the day with WeChat Pay’s refund bill',
      );
      next = { ...run, status: 'done', until: clock.now().toISOString(), version: run.version + 1 };
    } catch (error) {
      const retryAt = new Date(clock.now().getTime() + retryMs);
      const giveUp = retryAt >= nextDueAt;
      // Not generated yet is expected before ~10:00; anything else an operator should see.
      log[error instanceof BillUnavailable && !giveUp ? 'warn' : 'error'](
        { date: run.date, err: error, attempt: run.attempts, retryAt: giveUp ? null : retryAt },
        giveUp
          ? 'reconciling the day with WeChat Pay’s refund bill failed; given up for the day'
          : 'reconciling the day with WeChat Pay’s refund bill failed; trying again later',
      );
      next = {
        ...run,
        status: giveUp ? 'abandoned' : 'waiting',
        until: retryAt.toISOString(),
        lastError: errorMessage(error),
        version: run.version + 1,
      };
    }
    // Lost only when the lease ran out and another instance took the run over: its outcome stands.
    await writeNextVersion(await runs(), run.date, next);
  };

  const tick = async (): Promise<void> => {
    const now = clock.now();
    const { date, nextDueAt } = dueNow(now);
    const run = await claim(date, now);
    if (run !== undefined) await runClaimed(run, nextDueAt);
  };

  return startRepeating({
    round: tick,
    intervalMs: checkIntervalMs,
    log,
    failure: 'the daily bill run could not look at its runs',
  });
};
