// npm run bench:profile [-- --figures post,get,notify,sequence --refunds N --seconds S]
// Where the service's time and memory go under the loads of `npm run bench` (issue 18): the built
// service (`node --cpu-prof bin/refunds.js serve`, as the bench starts it) under autocannon, one
// fresh service per figure on a copy of one prepared log, its CPU profiles (one per thread)
// summarised by area (bench/support/profileAreas.ts) and its memory sampled from /metrics.
// `sequence` runs figures 2–4 one after another in one service as the bench does, for the peak
// RSS of figure 7. Prints markdown; the profiles stay in bench/.work/profiles-<time>/.
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createSqliteEventStore } from '../src/infrastructure/sqlite/sqliteEventStore.js';
import { refundBody } from './support/endToEnd.js';
import { load, type LoadOptions, type LoadResult } from './support/load.js';
import { notificationsFor, prepopulate } from './support/preparedRefunds.js';
import { metric, peakRssMb, root, run, serve } from './support/processes.js';
import { startWebhookSink, subscribe, type WebhookSink } from './support/webhookSink.js';
import {
  areaTable,
  monotonicUs,
  profileAreas,
  rolledUp,
  type Window,
} from './support/profileAreas.js';
import { loadAverage } from './support/resultsFile.js';

const { values } = parseArgs({
  options: {
    figures: { type: 'string', default: 'bare,idle,post,get,notify,sequence' },
    refunds: { type: 'string', default: '100000' },
    seconds: { type: 'string', default: '10' },
    /** Requests per second of the `steady` figure. */
    rate: { type: 'string', default: '200' },
    /** NAME=value for the service's environment (repeatable): an A/B switch, WECHAT_MAX_RPS. */
    env: { type: 'string', multiple: true, default: [] },
    /** One webhook endpoint subscribed to every event type, its receiver a process of its own. */
    webhooks: { type: 'boolean', default: false },
  },
});
const serviceEnv = Object.fromEntries(
  values.env.map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]),
);
const figures = values.figures.split(',');
const refunds = Number(values.refunds);
const seconds = Number(values.seconds);
const work = path.join(
  root,
  'bench',
  '.work',
  `profiles-${new Date().toISOString().replace(/[:.]/g, '-')}`,
);
const out = (line = '') => process.stdout.write(`${line}\n`);
const log = (line: string) => process.stderr.write(`${line}\n`);

type Memory = { rss: number; heapUsed: number; heapTotal: number; external: number };
const mb = (bytes: number) => Math.round(bytes / 2 ** 20);

/** The service's own memory figures (prom-client's default metrics), in MB. */
const memoryOf = async (url: string): Promise<Memory> => ({
  rss: mb(await metric(url, 'process_resident_memory_bytes')),
  heapUsed: mb(await metric(url, 'nodejs_heap_size_used_bytes')),
  heapTotal: mb(await metric(url, 'nodejs_heap_size_total_bytes')),
  external: mb(await metric(url, 'nodejs_external_memory_bytes')),
});

/** Samples the memory every second while `during` runs; the sample of the highest RSS. */
const peakMemory = async <T>(url: string, during: Promise<T>) => {
  let peak: Memory = await memoryOf(url);
  let done = false;
  const sampling = (async () => {
    while (!done) {
      const now = await memoryOf(url).catch(() => peak);
      if (now.rss > peak.rss) peak = now;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  })();
  const result = await during;
  done = true;
  await sampling;
  return { result, peak };
};

/** CPU time (user + system, all threads) a process has used so far, in ms (Linux). */
const cpuMs = (pid: number): number => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  // utime and stime are fields 14 and 15 of stat(5), 12 and 13 after "pid (comm) ".
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / clockTicks;
};
const clockTicks = 100;

// Kept between runs (bench/.work/ is not committed): preparing 100,000 refunds takes a while.
const prepared = path.join(root, 'bench', '.work', `prepared-${refunds}`);
const figureLoads = (url: string, dataDir: string, name: string): Record<string, LoadOptions> => ({
  post: {
    url: `${url}/v1/refunds`,
    durationSeconds: seconds,
    body: (n) => refundBody(`${name}R`, n),
  },
  repeats: {
    url: `${url}/v1/refunds`,
    durationSeconds: seconds,
    body: (n) => (n % 2 === 0 ? refundBody(`${name}D`, n) : refundBody(`${name}R`, n % 1000)),
  },
  notify: {
    url: `${url}/wechat/refund-notify`,
    contentType: 'text/xml',
    durationSeconds: seconds,
    body: (
      (notifications) => (n: number) =>
        notifications[n % notifications.length]!
    )(name === 'notify' || name === 'sequence' ? notificationsFor(dataDir, refunds) : []),
  },
  steady: {
    url: `${url}/v1/refunds`,
    durationSeconds: seconds,
    overallRate: Number(values.rate),
    body: (n) => refundBody(`${name}S`, n),
  },
  get: {
    url: `${url}/v1/refunds`,
    method: 'GET',
    durationSeconds: seconds,
    path: (n) => `/v1/refunds/P${(n * 7919) % refunds}`,
  },
});

/** Waits (up to a minute) until the receiver has had `count` deliveries. */
const delivered = async (sink: WebhookSink, count: number): Promise<void> => {
  for (const deadline = Date.now() + 60_000; Date.now() < deadline;) {
    if ((await sink.stats()).deliveries >= count) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  log(`the receiver had fewer than ${count} deliveries after a minute`);
};

/** No load: what the service does by itself (the gateway working through the prepared backlog). */
const idleFor = async (seconds: number): Promise<LoadResult> => {
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  return { requestsPerSecond: 0, p50Ms: 0, p99Ms: 0, errors: 0, non2xx: 0, requests: 0 };
};

/** Figure 1's bare fastify route under the POST load: its CPU per request, the floor. */
const runBare = async () => {
  const bare = run('node', ['--import', 'tsx', 'bench/support/bareServer.ts']);
  const url = await bare.firstLine;
  const before = cpuMs(bare.child.pid!);
  const result = await load({
    url: `${url}/v1/refunds`,
    durationSeconds: seconds,
    body: (n) => refundBody('B', n),
  });
  const perRequest = (cpuMs(bare.child.pid!) - before) / Math.max(1, result.requests);
  await bare.stop();
  out(`## bare: figure 1's route (load average ${loadAverage()})`);
  out();
  out(
    `- ${Math.round(result.requestsPerSecond)}/s, p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms; its CPU ${perRequest.toFixed(3)} ms per request`,
  );
  out();
};

const runFigure = async (name: string) => {
  if (name === 'bare') return runBare();
  const dataDir = path.join(work, name);
  cpSync(prepared, dataDir, { recursive: true });
  const profileDir = path.join(work, `${name}-cpuprofile`);
  const service = await serve(
    { DATA_DIR: dataDir, EVENT_STORE: 'sqlite', READ_STORE: 'sqlite', ...serviceEnv },
    undefined,
    ['--cpu-prof', `--cpu-prof-dir=${profileDir}`],
  );
  const sink = values.webhooks ? await startWebhookSink() : undefined;
  if (sink) await subscribe(service.url, sink.url);
  const loads = figureLoads(service.url, dataDir, name);
  const steps = name === 'sequence' ? ['post', 'repeats', 'notify', 'get'] : [name];
  const startMemory = await memoryOf(service.url);
  out(`## ${name}: ${steps.join(', ')} (load average ${loadAverage()})`);
  out();
  out(`Memory after start: ${JSON.stringify(startMemory)} MB`);
  const window: Window = { fromUs: monotonicUs(), toUs: 0 };
  for (const step of steps) {
    const cpuBefore = cpuMs(service.child.pid!);
    const { result, peak } = await peakMemory(
      service.url,
      step === 'idle' ? idleFor(seconds) : load(loads[step]!),
    );
    // A steady load's CPU includes the delivery of what it caused: wait for the receiver.
    if (step === 'steady' && sink) await delivered(sink, result.requests);
    window.toUs = monotonicUs();
    const used = cpuMs(service.child.pid!) - cpuBefore;
    const cpu =
      step === 'idle'
        ? `${(used / seconds).toFixed(0)} ms per second`
        : `${(used / Math.max(1, result.requests)).toFixed(2)} ms per request`;
    out(
      `- ${step}: ${Math.round(result.requestsPerSecond)}/s, p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms, errors ${result.errors}, non-2xx ${result.non2xx}; the service's CPU (all threads) ${cpu}; memory at its highest RSS ${JSON.stringify(peak)} MB`,
    );
  }
  out(
    `- peak RSS (VmHWM) ${peakRssMb(service.child.pid)?.toFixed(0)} MB; load average ${loadAverage()}`,
  );
  if (sink) {
    out(`- webhooks received: ${JSON.stringify(await sink.stats())}`);
    await sink.close();
  }
  // The profiles are written at exit: give a loaded machine time to shut the service down.
  const exited = new Promise((resolve) => service.child.once('exit', resolve));
  service.child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([exited, new Promise((resolve) => (timer = setTimeout(resolve, 120_000)))]);
  clearTimeout(timer);
  await service.stop();
  // For a closer look at the same samples (profileAreas with this window).
  writeFileSync(path.join(profileDir, 'window.json'), JSON.stringify(window));
  for (const file of readdirSync(profileDir)
    .filter((file) => file.endsWith('.cpuprofile'))
    .sort()) {
    // CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile: thread 0 is the main thread.
    const thread = file.split('.')[4];
    out();
    const areas = profileAreas(path.join(profileDir, file), window);
    out(`### ${name}, thread ${thread === '0' ? '0 (main)' : thread} during the load (${file})`);
    out();
    out(areaTable({ totalMs: areas.totalMs, areas: rolledUp(areas.areas) }));
    out();
    out(areaTable(areas, 25));
    if (thread !== '0') continue;
    for (const area of ['zod', 'GC']) {
      // Who calls into zod: which validations the process pays for.
      const { callers } = profileAreas(path.join(profileDir, file), window, area);
      const top = [...callers].sort((a, b) => b[1] - a[1]).slice(0, 8);
      out();
      out(
        `${area}, by its nearest caller outside it: ${top.map(([caller, ms]) => `${caller} ${ms.toFixed(0)} ms`).join('; ')}`,
      );
    }
  }
  out();
};

mkdirSync(work, { recursive: true });
if (!existsSync(prepared)) {
  log(`preparing ${refunds} requested refunds in ${prepared}`);
  await prepopulate(
    createSqliteEventStore({ file: path.join(`${prepared}.tmp`, 'events.db') }),
    refunds,
  );
  renameSync(`${prepared}.tmp`, prepared);
}
out(
  `# Service profile${values.env.length > 0 ? ` with ${values.env.join(' ')}` : ''}${values.webhooks ? ' with one webhook endpoint' : ''}, ${new Date().toISOString()} (${refunds} refunds in the log, ${seconds} s per load)`,
);
out();
for (const name of figures) {
  log(`profiling ${name}`);
  await runFigure(name);
}
