import { randomBytes } from 'node:crypto';
import {
  linkSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';

export const certDirLockFile = '.sandbox.lock';

export type CertDirLockOptions = {
  /**
   * A lock older than this is taken over even when its holder looks alive (hung, or on another
   * host sharing the directory). Default 60 s, far more than making a set takes on a busy machine.
   */
  staleAfterMs?: number;
  pollMs?: number;
};

const holderSchema = z.object({ pid: z.number().int(), host: z.string(), token: z.string() });

const codeOf = (error: unknown): unknown =>
  error instanceof Error && 'code' in error ? error.code : undefined;

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return codeOf(error) === 'EPERM'; // It exists, it is just not ours to signal.
  }
};

/** Creates the lock holding `holder`, whole, or answers false when it exists (link is atomic). */
const tryAcquire = (lockFile: string, holder: string, token: string): boolean => {
  const temporary = `${lockFile}.${token}.tmp`;
  writeFileSync(temporary, holder);
  try {
    linkSync(temporary, lockFile);
    return true;
  } catch (error) {
    if (codeOf(error) === 'EEXIST') return false;
    throw error;
  } finally {
    rmSync(temporary, { force: true });
  }
};

/** The file's text, or undefined when it is gone. */
const textOf = (file: string): string | undefined => {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    if (codeOf(error) === 'ENOENT') return undefined;
    throw error;
  }
};

/** The lock's text when it is stale: its holder is gone (a killed start) or it is too old. */
const staleLock = (lockFile: string, staleAfterMs: number): string | undefined => {
  const text = textOf(lockFile);
  const modified = statSync(lockFile, { throwIfNoEntry: false })?.mtimeMs;
  if (text === undefined || modified === undefined) return undefined; // Released meanwhile.
  if (Date.now() - modified > staleAfterMs) return text;
  let holder: z.infer<typeof holderSchema>;
  try {
    holder = holderSchema.parse(JSON.parse(text));
  } catch {
    return undefined; // Not ours to judge by its content: only its age makes it stale.
  }
  return holder.host === hostname() && !alive(holder.pid) ? text : undefined;
};

/** Removes the stale lock, unless another process replaced it since it was judged stale. */
const breakLock = (lockFile: string, staleText: string): void => {
  const aside = `${lockFile}.${randomBytes(4).toString('hex')}.stale`;
  try {
    renameSync(lockFile, aside);
  } catch (error) {
    if (codeOf(error) === 'ENOENT') return;
    throw error;
  }
  if (textOf(aside) !== staleText) {
    // A fresh lock was moved aside: put it back (a third taker in between is left to the set's
    // validation, which every start makes).
    try {
      linkSync(aside, lockFile);
    } catch {
      // Someone holds the lock now; that is all the lock promises.
    }
  }
  rmSync(aside, { force: true });
};

/**
 * Runs `work` while holding the cert dir's lock, so that processes sharing a cert dir (two
 * services, a service and `refunds sandbox`, a start and a restart) never write a set at the
 * same time. A lock left by a killed process is taken over at once; one older than
 * `staleAfterMs` is taken over whoever holds it.
 */
export const withCertDirLock = async <T>(
  certDir: string,
  work: () => T | Promise<T>,
  { staleAfterMs = 60_000, pollMs = 25 }: CertDirLockOptions = {},
): Promise<T> => {
  mkdirSync(certDir, { recursive: true });
  const lockFile = path.join(certDir, certDirLockFile);
  const token = randomBytes(8).toString('hex');
  const holder = JSON.stringify({ pid: process.pid, host: hostname(), token });
  while (!tryAcquire(lockFile, holder, token)) {
    const stale = staleLock(lockFile, staleAfterMs);
    if (stale !== undefined) breakLock(lockFile, stale);
    else await sleep(pollMs);
  }
  try {
    return await work();
  } finally {
    // Only our own lock: after a takeover (we were too slow) it is someone else's.
    if (textOf(lockFile) === holder) rmSync(lockFile, { force: true });
  }
};
