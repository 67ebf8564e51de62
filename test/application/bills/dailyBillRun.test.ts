import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BillUnavailable } from '../../../src/application/bills/billErrors.js';
import { startDailyBillRun } from '../../../src/application/bills/dailyBillRun.js';
import type { Reconciliation } from '../../../src/application/bills/reconciliation.js';
import type { DocumentStore } from '../../../src/application/ports/documentStore.js';
import type { JsonObject } from '../../../src/application/ports/eventStore.js';
import { createSqliteDocumentStore } from '../../../src/infrastructure/sqlite/sqliteDocumentStore.js';
import { pino } from 'pino';
import { eventually } from '../../support/eventually.js';
import { makeTempDir } from '../../support/fixtures.js';

/** A clock a test moves by hand; `looks` counts how often it was read. */
const handClock = (start: string) => {
  let now = new Date(start);
  let looks = 0;
  return {
    now: () => {
      looks += 1;
      return now;
    },
    set: (time: string) => void (now = new Date(time)),
    looks: () => looks,
  };
};

const result = (date: string): Reconciliation => ({
  date,
  billType: 'REFUND',
  checkedAt: new Date().toISOString(),
  clean: true,
  counts: {
    matched: 0,
    missingFromLog: 0,
    missingFromBill: 0,
    amountMismatch: 0,
    statusMismatch: 0,
    summaryMismatch: 0,
  },
  discrepancies: [],
  billSource: 'v2',
  billExists: false,
  billRows: 0,
});

describe('the daily bill run', () => {
  let temp: ReturnType<typeof makeTempDir>;
  const opened: DocumentStore[] = [];
  const running: { stop: () => Promise<void> }[] = [];
  /** One instance's connection to the shared document store. */
  const documentStore = () => {
    const store = createSqliteDocumentStore({ file: path.join(temp.dir, 'read.db') });
    opened.push(store);
    return store;
  };
  beforeEach(() => {
    temp = makeTempDir('daily-bill-run-');
  });
  afterEach(async () => {
    for (const run of running.splice(0)) await run.stop();
    for (const store of opened.splice(0)) await store.close();
    temp.remove();
  });

  /** An instance of the service's daily run at 10:30 China time; its reconciliations in `dates`. */
  const start = (
    clock: ReturnType<typeof handClock>,
    reconcile: (date: string) => Promise<Reconciliation>,
    documents = documentStore(),
  ) => {
    const dates: string[] = [];
    running.push(
      startDailyBillRun({
        documents,
        reconcile: (date) => {
          dates.push(date);
          return reconcile(date);
        },
        clock,
        log: pino({ level: 'silent' }),
        minutesIntoDay: 10 * 60 + 30,
        checkIntervalMs: 5,
      }),
    );
    return dates;
  };

  /** Lets the run look at the clock a few more times. */
  const afterLooks = async (clock: ReturnType<typeof handClock>, more = 5) => {
    const seen = clock.looks();
    await eventually(() => expect(clock.looks()).toBeGreaterThanOrEqual(seen + more));
  };

  it('given an instance that starts before 10:30 China time, then the run it missed the day before at once, yesterday’s bill at 10:30, and nothing more that day', async () => {
    const clock = handClock('2026-11-29T10:29:59+08:00');
    const dates = start(clock, async (date) => result(date));
    await afterLooks(clock);
    expect(dates).toEqual(['2026-11-27']);

    clock.set('2026-11-29T10:30:00+08:00');
    await eventually(() => expect(dates).toEqual(['2026-11-27', '2026-11-28']));
    clock.set('2026-11-30T10:29:00+08:00');
    await afterLooks(clock);
    expect(dates).toEqual(['2026-11-27', '2026-11-28']);
  });

  it('given the bill is not generated yet, then it is tried again 30 minutes later, not before, and not once done', async () => {
    const clock = handClock('2026-11-29T10:30:00+08:00');
    let generated = false;
    const dates = start(clock, async (date) => {
      if (!generated) throw new BillUnavailable('账单生成中 (the bill is not generated yet)');
      return result(date);
    });
    await eventually(() => expect(dates).toEqual(['2026-11-28']));

    clock.set('2026-11-29T10:59:59+08:00');
    await afterLooks(clock);
    expect(dates).toHaveLength(1);
    clock.set('2026-11-29T11:00:00+08:00');
    await eventually(() => expect(dates).toHaveLength(2));
    generated = true;
    clock.set('2026-11-29T11:30:00+08:00');
    await eventually(() => expect(dates).toHaveLength(3));
    clock.set('2026-11-29T23:59:00+08:00');
    await afterLooks(clock);
    expect(dates).toEqual(['2026-11-28', '2026-11-28', '2026-11-28']);
  });

  it('given two instances on one store, then one of them reconciles the day', async () => {
    const clock = handClock('2026-11-29T10:30:00+08:00');
    let finish: () => void = () => undefined;
    const slow = (date: string) =>
      new Promise<Reconciliation>((resolve) => (finish = () => resolve(result(date))));
    const first = start(clock, slow);
    const second = start(clock, slow);
    await eventually(() => expect([...first, ...second]).toHaveLength(1));
    await afterLooks(clock, 20);
    finish();
    await afterLooks(clock, 20);
    expect([...first, ...second]).toEqual(['2026-11-28']);
  });

  it('given an instance that stopped in the middle of a run, then another takes the run over once its lease has run out', async () => {
    const clock = handClock('2026-11-29T10:30:00+08:00');
    const documents = documentStore();
    const runs = await documents.collection<JsonObject>('bill_runs', {
      decode: (value) => value as JsonObject,
    });
    const held = {
      date: '2026-11-28',
      status: 'running',
      owner: 'a crashed instance',
      until: '2026-11-29T11:30:00+08:00',
      attempts: 1,
      version: 1,
    };
    await runs.put('2026-11-28', held, 1n);

    const dates = start(clock, async (date) => result(date), documents);
    await afterLooks(clock);
    expect(dates).toEqual([]);
    clock.set('2026-11-29T11:30:01+08:00');
    await eventually(() => expect(dates).toEqual(['2026-11-28']));
  });
});
