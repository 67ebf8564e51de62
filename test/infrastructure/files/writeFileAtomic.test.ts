import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeFileAtomic } from '../../../src/infrastructure/files/writeFileAtomic.js';
import { completion, spawnTs } from '../../support/spawnTs.js';
import { makeTempDir } from '../../support/fixtures.js';

const temp = makeTempDir('write-file-atomic-');
afterAll(() => temp.remove());

describe('writeFileAtomic', () => {
  it('given a file written, then it holds the data with the mode asked for and nothing is left beside it', () => {
    const file = path.join(temp.dir, 'key.pem');
    writeFileAtomic(file, 'secret', { mode: 0o600 });
    expect(readFileSync(file, 'utf8')).toBe('secret');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readdirSync(temp.dir)).toEqual(['key.pem']);
  });

  it('given a directory that does not exist, when written, then it throws and leaves nothing', () => {
    expect(() => writeFileAtomic(path.join(temp.dir, 'missing', 'file'), 'x')).toThrow(/ENOENT/);
  });

  it('given another process rewriting a file, then a reader only ever sees it whole', async () => {
    const file = path.join(temp.dir, 'rewritten');
    const size = 4 * 1024 * 1024;
    writeFileAtomic(file, Buffer.alloc(size, 'a'));
    const writer = completion(
      spawnTs('test/infrastructure/files/support/rewriteFile.ts', [file, String(size), '40']),
    );
    let done = false;
    void writer.then(() => (done = true));
    let reads = 0;
    while (!done) {
      const content = readFileSync(file);
      expect(content.length).toBe(size);
      expect(content.every((byte) => byte === content[0])).toBe(true);
      reads += 1;
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect((await writer).code).toBe(0);
    expect(reads).toBeGreaterThan(0);
  });
});
