// npm run bench:webhooks [-- --rate 200 --seconds 15 --rounds 3]
// What webhook delivery costs the service's process in CPU, alone: refund events appended to an
// embedded log at a steady rate, as the head of a busy log receives them, and the fan-out and the
// dispatcher as the service composes them (composeWebhooks) delivering each to one endpoint, a
// receiver in a process of its own. Each round runs once with the endpoint and once without, and
// the CPU of this process (all threads) per event, from the first append to the last outcome
// stored, is compared: the difference is what a delivery costs.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { systemClock } from '../src/application/ports/clock.js';
import type { EventStore } from '../src/application/ports/eventStore.js';
import { openWebhookStore } from '../src/application/webhooks/webhookStore.js';
import { composeWebhooks } from '../src/composition/webhooks.js';
import { loadConfig } from '../src/infrastructure/config/config.js';
import { createMetrics } from '../src/infrastructure/observability/metrics.js';
import { openStores } from '../src/infrastructure/stores/openStores.js';
import { reactorRunner } from '../src/infrastructure/stores/reactorRunner.js';
import { median } from './support/median.js';
import { requestedEvent } from './support/preparedRefunds.js';
import { loadAverage } from './support/resultsFile.js';
import { startWebhookSink, type WebhookSink } from './support/webhookSink.js';

const { values } = parseArgs({
  options: {
    rate: { type: 'string', default: '200' },
    seconds: { type: 'string', default: '15' },
    rounds: { type: 'string', default: '3' },
  },
});
const rate = Number(values.rate);
const seconds = Number(values.seconds);
const log = pino({ level: 'warn' });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** `rate` refund events a second for `seconds`, a few every 10 ms, each its own append. */
const appendSteadily = async (events: EventStore): Promise<number> => {
  const total = rate * seconds;
  const started = Date.now();
  for (let appended = 0; appended < total;) {
    const due = Math.min(total, Math.floor(((Date.now() - started) / 1000) * rate));
    const appends: Promise<unknown>[] = [];
    for (; appended < due; appended += 1) {
      appends.push(
        events.append(`refund-B${appended}`, [requestedEvent(`B${appended}`, 'api')], 'no_stream'),
      );
    }
    await Promise.all(appends);
    await sleep(10);
  }
  return total;
};

type Cost = { cpu: number; system: number; main: number };

/** CPU time (user + system) of this process's main thread so far, in ms (Linux). */
const mainThreadCpuMs = (): number => {
  const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 of stat(5), 12 and 13 after "pid (comm) ".
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
};

/** CPU ms of this process per event appended, with one endpoint subscribed or none. */
const measure = async (sink: WebhookSink | undefined): Promise<Cost> => {
  const dir = mkdtempSync(path.join(tmpdir(), 'webhook-bench-'));
  const config = loadConfig({ DATA_DIR: dir, LOG_LEVEL: 'warn' });
  if (!config.ok) throw new Error(config.problems.join('; '));
  const stores = openStores(config.config, { log });
  const webhooks = composeWebhooks({
    config: config.config,
    events: stores.events,
    documents: stores.documents,
    clock: systemClock,
    tuning: {},
  });
  const endpoint = sink && (await webhooks.endpoints.create({ url: sink.url }));
  const delivery = webhooks.startDelivery({
    metrics: createMetrics(),
    runReactor: reactorRunner(stores, { log, random: Math.random }),
    log,
    random: Math.random,
    // No API here: nothing to yield to.
    apiBusy: () => false,
  });
  const deliveries = await openWebhookStore(stores.documents).deliveries();
  const receivedBefore = sink ? (await sink.stats()).deliveries : 0;
  const before = process.cpuUsage();
  const mainBefore = mainThreadCpuMs();
  const total = await appendSteadily(stores.events);
  // Every delivery received, and none pending (its outcome stored): cheap looks, as they are
  // counted in the CPU too.
  for (const deadline = Date.now() + 120_000; sink && endpoint && Date.now() < deadline;) {
    const received = (await sink.stats()).deliveries >= receivedBefore + total;
    const pending = await deliveries.query({
      where: { endpointId: endpoint.id, status: 'pending' },
      orderBy: 'dueAt',
      direction: 'asc',
      limit: 1,
    });
    if (received && pending.documents.length === 0) break;
    await sleep(50);
  }
  const used = process.cpuUsage(before);
  const main = mainThreadCpuMs() - mainBefore;
  await delivery.stop();
  await stores.documents.close();
  await stores.events.close();
  rmSync(dir, { recursive: true, force: true });
  return {
    cpu: (used.user + used.system) / 1000 / total,
    system: used.system / 1000 / total,
    main: main / total,
  };
};

const sink = await startWebhookSink();
const rounds: { without: Cost; with: Cost }[] = [];
const start = loadAverage();
for (let round = 0; round < Number(values.rounds); round++) {
  const without = await measure(undefined);
  const withHooks = await measure(sink);
  rounds.push({ without, with: withHooks });
  process.stderr.write(
    `round ${round + 1}: ms per event without / with one endpoint: all threads ${without.cpu.toFixed(3)} / ${withHooks.cpu.toFixed(3)}, main thread ${without.main.toFixed(3)} / ${withHooks.main.toFixed(3)}\n`,
  );
}
await sink.close();
const added = median(rounds.map((r) => r.with.cpu - r.without.cpu));
const addedSystem = median(rounds.map((r) => r.with.system - r.without.system));
const addedMain = median(rounds.map((r) => r.with.main - r.without.main));
process.stdout.write(
  `${rate} events/s for ${seconds} s, ${rounds.length} rounds, load average ${start} → ${loadAverage()}: ` +
    `CPU per event without an endpoint ${median(rounds.map((r) => r.without.cpu)).toFixed(3)} ms, ` +
    `with one ${median(rounds.map((r) => r.with.cpu)).toFixed(3)} ms; a delivery adds ${added.toFixed(3)} ms, ` +
    `${addedSystem.toFixed(3)} ms of it in the kernel, ${addedMain.toFixed(3)} ms on the main thread ` +
    `(rounds: ${rounds.map((r) => (r.with.cpu - r.without.cpu).toFixed(3)).join(', ')})\n`,
);
