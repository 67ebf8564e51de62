import { readFileSync } from 'node:fs';
import { z } from 'zod';

const profileSchema = z.object({
  nodes: z.array(
    z.object({
      id: z.number(),
      callFrame: z.object({ functionName: z.string(), url: z.string() }),
      children: z.array(z.number()).optional(),
    }),
  ),
  startTime: z.number(),
  samples: z.array(z.number()),
  timeDeltas: z.array(z.number()),
});

/** A span of CLOCK_MONOTONIC time in µs (`process.hrtime`, the clock of V8's profile timestamps). */
export type Window = { fromUs: number; toUs: number };

/** Now on the clock of V8's profile timestamps, in µs: also in another process on this machine. */
export const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);

type Frame = { functionName: string; url: string };

/** better-sqlite3's native statement and database methods (their frames carry no url). */
const sqliteNatives = new Set([
  'run',
  'get',
  'all',
  'iterate',
  'raw',
  'pluck',
  'prepare',
  'exec',
  'pragma',
  'close',
  'safeIntegers',
]);

/** The area of a frame with a script url: a dependency, a part of Node, or one of our modules. */
const areaOfScript = (url: string): string => {
  const dependency = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (dependency) {
    const name = dependency[1]!;
    if (name === 'zod' || name === 'fastify-type-provider-zod') return 'zod';
    if (name === 'better-sqlite3') return 'SQLite (better-sqlite3 JS and native calls)';
    if (
      /^(fastify|@fastify\/|find-my-way|avvio|light-my-request|fast-json-stringify|fast-querystring|secure-json-parse|fast-content-type-parse|toad-cache|process-warning|abstract-logging)/.test(
        name,
      )
    ) {
      return 'fastify';
    }
    return `dependency ${name}`;
  }
  if (url.startsWith('node:')) {
    const module = url.slice('node:'.length).replace(/^internal\//, '');
    if (/^(_http|http|net|stream|streams\/|timers|dns|url|querystring)/.test(module)) {
      return 'Node HTTP, sockets, streams, timers';
    }
    if (/^(worker|per_context\/messageport|event_target)/.test(module)) {
      return 'Node worker messaging';
    }
    return `Node other (${module.split('/')[0]})`;
  }
  // Our own code, from dist/ (the built service) or the sources (tsx): grouped by layer/module.
  const ours = /(?:dist|src)\/((?:[^/]+\/)*[^/]+)\.[jt]s$/.exec(url);
  if (ours) return `ours ${ours[1]}`;
  return `other ${url}`;
};

/**
 * Self time of a V8 .cpuprofile grouped by area: idle, GC, JSON, SQLite calls, zod, fastify, Node
 * internals, each dependency, and our modules one by one. A native frame (no url: a builtin or
 * an addon's method) counts for the area of the nearest caller with a url, but for the few that
 * name themselves (JSON.parse/stringify, better-sqlite3's statement methods). With a `window`,
 * only the samples taken in it (the load, not the start-up).
 */
export const profileAreas = (
  file: string,
  window?: Window,
  /** For the samples of this area, the time by the nearest calling function outside it. */
  callersOf?: string,
): { totalMs: number; areas: Map<string, number>; callers: Map<string, number> } => {
  const profile = profileSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
  const frames = new Map<number, Frame>(profile.nodes.map((n) => [n.id, n.callFrame]));
  const parents = new Map<number, number>();
  for (const node of profile.nodes)
    for (const child of node.children ?? []) parents.set(child, node.id);

  const areaCache = new Map<number, string>();
  const areaOf = (id: number): string => {
    const cached = areaCache.get(id);
    if (cached !== undefined) return cached;
    const frame = frames.get(id)!;
    let area: string;
    const name = frame.functionName;
    if (name === '(idle)') area = 'idle';
    else if (name === '(garbage collector)') area = 'GC';
    else if (name === '(program)') area = 'V8/native, unattributed (program)';
    else if (name === '(root)') area = 'root';
    else if (frame.url !== '') area = areaOfScript(frame.url);
    else if (name === 'parse' || name === 'stringify') area = 'JSON.parse/stringify';
    else {
      const parent = parents.get(id);
      const callerArea = parent === undefined ? 'root' : areaOf(parent);
      area =
        sqliteNatives.has(name) && /SQLite|ours infrastructure\/sqlite/.test(callerArea)
          ? 'SQLite (better-sqlite3 JS and native calls)'
          : callerArea;
    }
    areaCache.set(id, area);
    return area;
  };

  const callerOf = (id: number): string => {
    for (let at = parents.get(id); at !== undefined; at = parents.get(at)) {
      if (areaOf(at) !== callersOf) {
        const frame = frames.get(at)!;
        return `${frame.functionName || '(anonymous)'} ${frame.url.split('/').slice(-2).join('/')}`;
      }
    }
    return 'root';
  };

  const areas = new Map<string, number>();
  const callers = new Map<string, number>();
  let totalMs = 0;
  let atUs = profile.startTime;
  profile.samples.forEach((id, i) => {
    atUs += profile.timeDeltas[i] ?? 0;
    if (window && (atUs < window.fromUs || atUs > window.toUs)) return;
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    const area = areaOf(id);
    areas.set(area, (areas.get(area) ?? 0) + ms);
    if (area === callersOf) {
      const caller = callerOf(id);
      callers.set(caller, (callers.get(caller) ?? 0) + ms);
    }
    totalMs += ms;
  });
  return { totalMs, areas, callers };
};

/** The areas rolled up: our code by layer, Node's internals and other dependencies each as one. */
export const rolledUp = (areas: Map<string, number>): Map<string, number> => {
  const groups = new Map<string, number>();
  for (const [area, ms] of areas) {
    const module = area.slice('ours '.length).split('/');
    // infrastructure by adapter: the sqlite adapters' self time includes better-sqlite3's native
    // calls, which V8 counts as the time of the JS function that calls them.
    const depth = module[0] === 'infrastructure' && module.length > 2 ? 2 : 1;
    const group = area.startsWith('ours ')
      ? `ours: ${module.slice(0, depth).join('/')}/`
      : area.startsWith('Node other')
        ? 'Node other'
        : area.startsWith('dependency ')
          ? 'other dependencies'
          : area;
    groups.set(group, (groups.get(group) ?? 0) + ms);
  }
  return groups;
};

/** A markdown table of the areas, largest first, with the share of all time and of busy time. */
export const areaTable = (
  { totalMs, areas }: { totalMs: number; areas: Map<string, number> },
  top = 30,
) => {
  const busyMs = totalMs - (areas.get('idle') ?? 0);
  const rows = [...areas].sort((a, b) => b[1] - a[1]).slice(0, top);
  return [
    '| area | self ms | of all | of busy |',
    '|---|---:|---:|---:|',
    ...rows.map(
      ([area, ms]) =>
        `| ${area} | ${ms.toFixed(0)} | ${((100 * ms) / totalMs).toFixed(1)}% | ${area === 'idle' ? '' : `${((100 * ms) / busyMs).toFixed(1)}%`} |`,
    ),
  ].join('\n');
};
