// One measurement in a fresh process, so that its memory is its own:
//   node --import tsx bench/support/measureAudit.ts <scan|audit> <dataDir>
// Prints one JSON line: events, seconds, rate, memory peaks.
import path from 'node:path';
import { readCategoryUpTo } from '../../src/application/readCategoryUpTo.js';
import { refundCategory } from '../../src/application/refundEventCodec.js';
import { createSqliteDocumentStore } from '../../src/infrastructure/sqlite/sqliteDocumentStore.js';
import { createSqliteEventStore } from '../../src/infrastructure/sqlite/sqliteEventStore.js';
import { runAudit } from '../../src/audit/runAudit.js';
import { loadConfig } from '../../src/infrastructure/config/config.js';
import { openReadOnlyRefundLog } from '../../src/infrastructure/stores/openReadOnlyStores.js';

const pageSize = 1000;
const [mode, dataDir] = process.argv.slice(2);
if ((mode !== 'scan' && mode !== 'audit') || !dataDir) {
  throw new Error('usage: measureAudit.ts scan|audit <dataDir>');
}

const events = createSqliteEventStore({ file: path.join(dataDir, 'events.db'), readonly: true });
const documents = createSqliteDocumentStore({
  file: path.join(dataDir, 'read.db'),
  readonly: true,
});

// The configuration `refunds audit` would have with DATA_DIR=dataDir: the log grouped by order in SQL.
const loaded = loadConfig({ DATA_DIR: dataDir });
if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
const config = loaded.config;

const baseline = process.memoryUsage();
const peak = { rss: baseline.rss, heapUsed: baseline.heapUsed };
// Sampled every tenth call (once per 10 pages, or 10,000 documents compared), from the loops
// themselves: loops that only await resolved promises never let a timer run. Not more often:
// process.memoryUsage() is not free, and it must not weigh on the cheap scan more than on the audit.
let calls = 0;
const sample = (always = false) => {
  calls += 1;
  if (!always && calls % 10 !== 0) return;
  const { rss, heapUsed } = process.memoryUsage();
  peak.rss = Math.max(peak.rss, rss);
  peak.heapUsed = Math.max(peak.heapUsed, heapUsed);
};

const started = performance.now();
let count = 0;
let refunds: number | undefined;
let compareStartedAt: number | undefined;
if (mode === 'scan') {
  // The bare scan: read every page through the port (readCategory JSON-parses each row), nothing else.
  const head = await events.headPosition(refundCategory);
  for await (const page of readCategoryUpTo(events, refundCategory, { head, pageSize })) {
    count += page.length;
    sample();
  }
  sample(true);
} else {
  const report = await runAudit({
    events,
    documents,
    now: new Date(),
    staleAfterSeconds: 600,
    pageSize,
    openLog: (head) => openReadOnlyRefundLog(config, events, head),
    onProgress: (progress) => {
      // The end of the replay is where the per-refund state is largest: always sample there.
      const replayEnded = progress.phase === 'compare' && compareStartedAt === undefined;
      if (replayEnded) compareStartedAt = performance.now();
      sample(replayEnded);
    },
  });
  sample(true);
  if (!report.clean)
    throw new Error(`the benchmark's log is not clean: ${JSON.stringify(report.anomalies.byKind)}`);
  count = report.log.events;
  refunds = report.log.refunds;
}
const finished = performance.now();
await documents.close();
await events.close();

process.stdout.write(
  `${JSON.stringify({
    mode,
    events: count,
    refunds,
    seconds: (finished - started) / 1000,
    compareSeconds:
      compareStartedAt === undefined ? undefined : (finished - compareStartedAt) / 1000,
    eventsPerSecond: count / ((finished - started) / 1000),
    baseline: { rss: baseline.rss, heapUsed: baseline.heapUsed },
    peak,
  })}\n`,
);
