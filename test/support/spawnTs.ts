import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';

export const projectRoot = path.resolve(import.meta.dirname, '../..');

/**
 * How long a child process of this project may take to start (Node, tsx, the modules, a first
 * set of sandbox certificates) on a loaded two-core machine: over ten times a quiet machine's.
 */
export const childStartMs = 90_000;

/** The budget of a test that starts `starts` child processes one after another, and `moreMs`. */
export const spawningTestMs = (starts: number, moreMs = 30_000): number =>
  starts * childStartMs + moreMs;

/**
 * Runs a TypeScript file of this project in its own Node process (through tsx); a service it
 * starts runs without the daily bill run unless `env` sets BILL_RECONCILE_TIME.
 */
export const spawnTs = (
  file: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
): ChildProcessWithoutNullStreams =>
  spawn(process.execPath, ['--import', 'tsx', file, ...args], {
    cwd: projectRoot,
    env: { ...process.env, BILL_RECONCILE_TIME: '', ...env },
  });

export type ProcessOutput = { code: number | null; stdout: string; stderr: string };

/**
 * Collects what the process writes: `output` is what it wrote so far, `completion` resolves
 * when it has exited.
 */
export const collect = (
  child: ChildProcessWithoutNullStreams,
): { output: () => ProcessOutput; completion: Promise<ProcessOutput> } => {
  const output: ProcessOutput = { code: null, stdout: '', stderr: '' };
  child.stdout.on('data', (chunk: Buffer) => (output.stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output.stderr += chunk.toString()));
  const completion = new Promise<ProcessOutput>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ ...output, code }));
  });
  return { output: () => ({ ...output }), completion };
};

/** Resolves with the exit code and everything the process wrote. */
export const completion = (child: ChildProcessWithoutNullStreams): Promise<ProcessOutput> =>
  collect(child).completion;

/** Kills the process with SIGKILL, unless it has already exited, and waits until it is gone. */
export const killHard = async (child: ChildProcessWithoutNullStreams): Promise<void> => {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
};
