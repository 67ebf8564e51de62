// npm run bench:audit [-- --events 1000000 --first 250000 --runs 3 --profile]
//
// Writes a log of refund events into a temp dir, builds its read models, then measures in fresh
// processes (a) a bare scan, reading every page and parsing its rows, and (b) the audit, at a
// quarter of the log and at all of it, and writes bench/results/audit-<date>.md and the section
// "## Audit" of bench/results/<date>.md.
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { z } from 'zod';
import type { EventStore } from '../src/application/ports/eventStore.js';
import { createSqliteDocumentStore } from '../src/infrastructure/sqlite/sqliteDocumentStore.js';
import { createSqliteEventStore } from '../src/infrastructure/sqlite/sqliteEventStore.js';
import { orderLedgerProjection } from '../src/projections/orderLedger.js';
import { rebuildProjection } from '../src/projections/rebuildProjection.js';
import { refundViewProjection } from '../src/projections/refundViewProjection.js';
import { median } from './support/median.js';
import { measureInChild } from './support/processes.js';
import { writeRandomRefunds } from './support/randomRefunds.js';
import { dayResultsFile, loadAverage, writeAuditResults } from './support/resultsFile.js';
import { summarizeProfile } from './support/summarizeProfile.js';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '1000000' },
    first: { type: 'string', default: '250000' },
    runs: { type: 'string', default: '3' },
    profile: { type: 'boolean', default: false },
  },
});
const sizes = [Number(values.first), Number(values.events)];
const runs = Number(values.runs);
const root = path.resolve(import.meta.dirname, '..');

const memory = z.object({ rss: z.number(), heapUsed: z.number() });
const measurementSchema = z.object({
  mode: z.enum(['scan', 'audit']),
  events: z.number(),
  refunds: z.number().optional(),
  seconds: z.number(),
  compareSeconds: z.number().optional(),
  eventsPerSecond: z.number(),
  baseline: memory,
  peak: memory,
});
type Measurement = z.infer<typeof measurementSchema>;

const log = (message: string) => process.stderr.write(`${new Date().toISOString()} ${message}\n`);

/** Writes random refunds (legal histories, 2.7 events each on average) until the log has `target` events. */
const appendUpTo = async (events: EventStore, written: number, target: number, chunk: number) => {
  let total = written;
  for (let n = chunk; total < target; n++) {
    const refunds = Math.max(1, Math.min(40_000, Math.round((target - total) / 2.7)));
    const generated = await writeRandomRefunds(events, refunds, { seed: n, prefix: `c${n}-` });
    total += generated.events;
    log(`  ${total.toLocaleString('en-US')} events`);
    chunk = n + 1;
  }
  return { total, chunk };
};

const measure = (mode: 'scan' | 'audit', dataDir: string, extra: string[] = []) =>
  measureInChild('bench/support/measureAudit.ts', [mode, dataDir], measurementSchema, extra);

const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MB`;
const rate = (n: number) => Math.round(n).toLocaleString('en-US');

const temp = mkdtempSync(path.join(os.tmpdir(), 'refunds-audit-bench-'));
log(`working in ${temp}`);
// recordedAt an hour ago: the refunds still REQUESTED or ACCEPTED are stale, as in a real backlog.
const clock = { now: () => new Date(Date.now() - 3600_000) };
const events = createSqliteEventStore({ file: path.join(temp, 'events.db'), clock });
const rows: string[] = [];
/** Per size: the figures issue 18 sets targets for. */
const summary: { events: number; refunds: number; ratio: number; peakRss: number }[] = [];
const loadAtStart = loadAverage();
const timings: string[] = [];
let profileSummary: string | undefined;
try {
  let written = { total: 0, chunk: 0 };
  for (const size of sizes) {
    log(`writing the log up to ${size.toLocaleString('en-US')} events`);
    let started = performance.now();
    written = await appendUpTo(events, written.total, size, written.chunk);
    timings.push(
      `writing up to ${rate(written.total)} events: ${((performance.now() - started) / 1000).toFixed(0)} s`,
    );

    log('building the read models');
    started = performance.now();
    const documents = createSqliteDocumentStore({ file: path.join(temp, 'read.db') });
    const deps = {
      events,
      documents,
      log: pino({ level: 'silent' }),
      dropOld: true,
      batchSize: 5000,
    };
    await rebuildProjection(refundViewProjection, deps);
    await rebuildProjection(orderLedgerProjection, deps);
    await documents.close();
    timings.push(
      `building refund_view and order_ledger from ${rate(written.total)} events: ${((performance.now() - started) / 1000).toFixed(0)} s`,
    );

    const scans: Measurement[] = [];
    const audits: Measurement[] = [];
    for (let run = 1; run <= runs; run++) {
      scans.push(await measure('scan', temp));
      audits.push(await measure('audit', temp));
      log(
        `  run ${run}: scan ${rate(scans.at(-1)!.eventsPerSecond)}/s, audit ${rate(audits.at(-1)!.eventsPerSecond)}/s`,
      );
    }
    const scanRate = median(scans.map((m) => m.eventsPerSecond));
    const auditRate = median(audits.map((m) => m.eventsPerSecond));
    const audit = audits[0]!;
    const refunds = audit.refunds ?? 0;
    const heapGrowth = Math.max(...audits.map((m) => m.peak.heapUsed - m.baseline.heapUsed));
    const peakRss = Math.max(...audits.map((m) => m.peak.rss));
    summary.push({ events: audit.events, refunds, ratio: auditRate / scanRate, peakRss });
    rows.push(
      `| ${rate(audit.events)} | ${rate(refunds)} | ${rate(scanRate)} | ${rate(auditRate)} | ` +
        `${((100 * auditRate) / scanRate).toFixed(0)}% | ${median(audits.map((m) => m.compareSeconds ?? 0)).toFixed(1)} s of ${median(audits.map((m) => m.seconds)).toFixed(1)} s | ` +
        `${mb(Math.max(...scans.map((m) => m.peak.rss)))} / ${mb(Math.max(...scans.map((m) => m.peak.heapUsed)))} | ` +
        `${mb(peakRss)} / ${mb(Math.max(...audits.map((m) => m.peak.heapUsed)))} | ` +
        `${Math.round(heapGrowth / refunds)} B |`,
    );
  }
  if (values.profile) {
    const dir = path.join(temp, 'profile');
    await measure('audit', temp, ['--cpu-prof', `--cpu-prof-dir=${dir}`]);
    const [file] = readdirSync(dir);
    profileSummary = summarizeProfile(path.join(dir, file!))
      .map(({ share, where }) => `| ${share.toFixed(1)}% | \`${where}\` |`)
      .join('\n');
  }
} finally {
  await events.close();
  rmSync(temp, { recursive: true, force: true });
}

const [small, large] = [summary[0], summary.at(-1)];
/** The audit's peak RSS at the larger size over the smaller: 1 when memory is flat. */
const flat = small && large ? large.peakRss / small.peakRss : Number.NaN;
const cpus = os.cpus();
const date = new Date().toISOString().slice(0, 10);
const report = `# Audit benchmark, ${date}

\`npm run bench:audit\` (bench/audit.bench.ts, run through tsx).

**Machine:** ${cpus[0]?.model ?? 'unknown CPU'}, ${cpus.length} cores shared with other work
(other engineers' builds and test runs were going on at the same time, so rates vary by some
tens of percent from run to run), ${mb(os.totalmem())} memory, ${os.type()} ${os.release()},
Node ${process.version}.

**Log:** random refunds with legal histories (bench/support/randomRefunds.ts: 1 to 3 refunds per
order, 8 journeys from REQUESTED to SUCCEEDED, FAILED, retried), written through the SQLite
store's own append API with one concurrent append per refund per round (each round is one
group commit), recordedAt an hour in the past so the unsettled refunds are stale. Read models
built by rebuildProjection (refund_view, order_ledger). Every audit found the log clean.

**Measured** in a fresh process each, median of ${runs} runs, scan and audit alternating, page
size 1000 for both. Bare scan: readCategory paging through the port (which JSON-parses each
row), nothing else. Audit: runAudit as \`refunds audit\` runs it (replay, checks, read-model
comparison, report), without printing. Memory is sampled every tenth page and at the end of
the replay.

| events | refunds | bare scan (events/s) | audit (events/s) | audit / scan | of which comparing read models | scan peak RSS / heap | audit peak RSS / heap | audit heap growth per refund |
|---:|---:|---:|---:|---:|---:|---:|---:|---:|
${rows.join('\n')}

The audit's peak RSS at the larger size is ${flat.toFixed(2)}× the one at the smaller. Peak heap
includes garbage not yet collected.

${timings.map((t) => `- ${t}`).join('\n')}
${profileSummary ? `\nWhere the audit spends its time (\`--cpu-prof\`, self time, ${rate(sizes.at(-1)!)} events):\n\n| self | function |\n|---:|---|\n${profileSummary}\n` : ''}
See bench/README.md for what the profile says about the ratio.
`;
const out = path.join(root, 'bench', 'results', `audit-${date}.md`);
writeFileSync(out, report);
log(`wrote ${out}`);
process.stdout.write(report);

// The day's results file: the figures of issue 18's targets, with the machine's load.
const section = `## Audit

\`npm run bench:audit\` (details: \`audit-${date}.md\`), median of ${runs} runs each, in fresh processes.
Load average (1, 5, 15 min, as \`uptime\` shows it) at the start ${loadAtStart}, at the end
${loadAverage()}: the ${cpus.length} cores are shared with other engineers' builds, tests and benchmarks.

| events | refunds | audit / bare scan | target | audit peak RSS | target |
|---:|---:|---:|---|---:|---|
${summary
  .map(
    ({ events, refunds, ratio, peakRss }) =>
      `| ${rate(events)} | ${rate(refunds)} | ${(100 * ratio).toFixed(0)}% | ≥ 60%: ${ratio >= 0.6 ? 'met' : '**not met**'} | ${mb(peakRss)} | ≤ 300 MB: ${peakRss <= 300 * 2 ** 20 ? 'met' : '**not met**'} |`,
  )
  .join('\n')}

Memory flat in the number of refunds: the peak RSS at ${rate(large?.refunds ?? 0)} refunds is
${flat.toFixed(2)}× the one at ${rate(small?.refunds ?? 0)} (${((large?.refunds ?? 0) / (small?.refunds ?? 1)).toFixed(1)}× the refunds): ${flat <= 1.25 ? 'met' : '**not met**'} (flat: at most 1.25×).
`;
writeAuditResults(dayResultsFile(date), section);
