import { existsSync, mkdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { certDirLockFile, withCertDirLock } from '../../src/sandbox/certDirLock.js';
import { ensureSandboxCredentials } from '../../src/sandbox/sandboxCredentials.js';
import { eventually } from '../support/eventually.js';
import { childStartMs, collect, killHard, spawnTs } from '../support/spawnTs.js';
import { makeTempDir } from '../support/fixtures.js';

const temp = makeTempDir('cert-dir-lock-');
afterAll(() => temp.remove());
let dirs = 0;
const freshDir = (): string => {
  const dir = path.join(temp.dir, `certs-${(dirs += 1)}`);
  mkdirSync(dir);
  return dir;
};

/** A promise and the function that settles it. */
const gate = () => {
  let open = (): void => undefined;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
};

const anHour = 3_600_000;

describe('the cert dir lock', () => {
  it('given the lock held, when another wants it, then its work runs only after the holder is done', async () => {
    const certDir = freshDir();
    const steps: string[] = [];
    const first = gate();
    const holding = withCertDirLock(certDir, async () => {
      steps.push('first in');
      await first.opened;
      steps.push('first out');
    });
    const waiting = withCertDirLock(certDir, () => void steps.push('second in'));
    first.open();
    await Promise.all([holding, waiting]);
    expect(steps).toEqual(['first in', 'first out', 'second in']);
    expect(existsSync(path.join(certDir, certDirLockFile))).toBe(false);
  });

  it('given a lock of a live holder on this host, when another wants it, then it waits until the lock is gone', async () => {
    const certDir = freshDir();
    const lockFile = path.join(certDir, certDirLockFile);
    writeFileSync(lockFile, JSON.stringify({ pid: process.pid, host: hostname(), token: 'other' }));
    let released = false;
    const waiting = withCertDirLock(certDir, () => released, { staleAfterMs: anHour });
    released = true;
    rmSync(lockFile);
    expect(await waiting).toBe(true);
  });

  it('given a lock left by a start that was killed, when the sandbox starts again, then it takes the lock over at once', async () => {
    const certDir = freshDir();
    const holder = spawnTs('test/sandbox/support/holdCertDirLock.ts', [certDir]);
    const output = collect(holder);
    try {
      await eventually(() => expect(output.output().stdout).toBe('locked\n'), {
        timeoutMs: childStartMs,
      });
    } finally {
      await killHard(holder);
    }
    expect(existsSync(path.join(certDir, certDirLockFile))).toBe(true);
    // An hour: only the holder's death can free it within the test's time.
    const { identity } = await ensureSandboxCredentials(certDir, { staleAfterMs: anHour });
    expect(identity.mchId).toMatch(/^9\d{9}$/);
    expect(existsSync(path.join(certDir, certDirLockFile))).toBe(false);
  });

  it('given a lock older than the stale timeout whose holder looks alive (hung), then it is taken over', async () => {
    const certDir = freshDir();
    const lockFile = path.join(certDir, certDirLockFile);
    writeFileSync(lockFile, JSON.stringify({ pid: process.pid, host: hostname(), token: 'hung' }));
    const twoMinutesAgo = new Date(Date.now() - 120_000);
    utimesSync(lockFile, twoMinutesAgo, twoMinutesAgo);
    expect(await withCertDirLock(certDir, () => 'taken', { staleAfterMs: 60_000 })).toBe('taken');
  });

  it('given a holder too slow and taken over, when it finishes, then it leaves the new holder its lock', async () => {
    const certDir = freshDir();
    const lockFile = path.join(certDir, certDirLockFile);
    const slow = gate();
    const second = gate();
    let secondLock = '';
    const slowHolder = withCertDirLock(certDir, () => slow.opened);
    const taker = withCertDirLock(
      certDir,
      async () => {
        secondLock = readFileSync(lockFile, 'utf8');
        await second.opened;
      },
      { staleAfterMs: 0, pollMs: 1 },
    );
    await eventually(() => expect(secondLock).not.toBe(''));
    slow.open();
    await slowHolder;
    expect(readFileSync(lockFile, 'utf8')).toBe(secondLock);
    second.open();
    await taker;
    expect(existsSync(lockFile)).toBe(false);
  });
});
