import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';

export const root = path.resolve(import.meta.dirname, '../..');

export type Running = {
  child: ChildProcess;
  firstLine: Promise<string>;
  stop: () => Promise<void>;
};

/** Starts a process, resolves its first stdout line, and stops it with SIGTERM (SIGKILL after 10 s). */
export const run = (command: string, args: string[], env: NodeJS.ProcessEnv = {}): Running => {
  const child = spawn(command, args, {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let buffered = '';
  const firstLine = new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const newline = buffered.indexOf('\n');
      if (newline !== -1) resolve(buffered.slice(0, newline));
    });
    child.once('exit', (code) =>
      reject(new Error(`${command} ${args.join(' ')} exited with ${code}`)),
    );
  });
  firstLine.catch(() => undefined);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    child,
    firstLine,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
};

/** Peak resident memory of a process so far (Linux: VmHWM), in MB. */
export const peakRssMb = (pid: number | undefined): number | undefined => {
  if (pid === undefined) return undefined;
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
};

export const waitFor = async (check: () => Promise<boolean>, timeoutMs: number, what: string) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
};

/** Reads one sample of a Prometheus metric (summing its label sets) from /metrics. */
export const metric = async (url: string, name: string, labels = ''): Promise<number> => {
  const text = await (await fetch(`${url}/metrics`)).text();
  let total = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith(`${name}{`) || line.startsWith(`${name} `)) {
      if (labels && !line.includes(labels)) continue;
      total += Number(line.slice(line.lastIndexOf(' ') + 1));
    }
  }
  return total;
};

/** A loopback port free right now. */
export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });

/**
 * Runs a measuring script in a fresh Node process (through tsx, with `nodeFlags` before it), so
 * that its memory is its own, and parses the one JSON line it prints.
 */
export const measureInChild = <T>(
  script: string,
  args: string[],
  schema: { parse: (value: unknown) => T },
  nodeFlags: string[] = [],
): Promise<T> =>
  new Promise<T>((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeFlags, '--import', 'tsx', script, ...args], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`${script} ${args.join(' ')} exited with ${code}`));
      else resolve(schema.parse(JSON.parse(out)));
    });
  });

/**
 * The built service as `npm start` runs it (`node bin/refunds.js serve`) with `env` (DATA_DIR,
 * the stores), once it is ready; a restart passes the port again (WeChat keeps the notify_url it
 * was given). `nodeFlags` go before the script (a profile: `--cpu-prof`).
 */
export const serve = async (env: NodeJS.ProcessEnv, port?: number, nodeFlags: string[] = []) => {
  port ??= await freePort();
  const url = `http://127.0.0.1:${port}`;
  const service = run('node', [...nodeFlags, 'bin/refunds.js', 'serve'], {
    PORT: String(port),
    LOG_LEVEL: 'warn',
    ...env,
  });
  await waitFor(
    async () => (await fetch(`${url}/readyz`)).status === 200,
    300_000,
    'the service to be ready',
  );
  return { ...service, url };
};
