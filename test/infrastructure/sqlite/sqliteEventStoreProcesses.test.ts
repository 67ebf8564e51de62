import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createSqliteEventStore } from '../../../src/infrastructure/sqlite/sqliteEventStore.js';
import { eventually } from '../../support/eventually.js';
import { childStartMs, collect, completion, spawnTs } from '../../support/spawnTs.js';
import { tempDirPerTest } from '../../support/fixtures.js';

const worker = 'test/infrastructure/sqlite/support/appendWorker.ts';

describe('SQLite event store shared by processes', () => {
  const temp = tempDirPerTest();

  it('given two processes appending to the same file, then no append is lost and revisions stay contiguous', async () => {
    const file = path.join(temp.dir, 'events.db');
    const runs = await Promise.all(
      ['p1', 'p2'].map((name) => completion(spawnTs(worker, [file, name, '100']))),
    );
    for (const run of runs) expect(run, run.stderr).toMatchObject({ code: 0 });

    const store = createSqliteEventStore({ file });
    const shared = await store.readStream('shared-counter');
    expect(shared.map((e) => e.revision)).toEqual(Array.from({ length: 200 }, (_, i) => BigInt(i)));
    expect((await store.readCategory('own', { limit: 1000 })).length).toBe(200);
    await store.close();
  });

  it('given a process killed with SIGKILL, then every append it acknowledged is in the store', async () => {
    const file = path.join(temp.dir, 'events.db');
    const child = spawnTs(worker, [file, 'k', '0', 'ack']);
    const { output, completion: exited } = collect(child);
    await eventually(() => expect(acknowledged(output().stdout).length).toBeGreaterThan(50), {
      timeoutMs: childStartMs,
    });

    child.kill('SIGKILL');
    const names = acknowledged((await exited).stdout);

    const store = createSqliteEventStore({ file });
    for (const name of names) expect(await store.readStream(name), name).toHaveLength(1);
    await store.close();
  });
});

/** Complete lines only: the last one may have been cut by the kill. */
const acknowledged = (stdout: string): string[] => stdout.split('\n').slice(0, -1);
