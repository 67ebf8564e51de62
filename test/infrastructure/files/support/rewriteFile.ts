/** Rewrites FILE with writeFileAtomic, alternating two contents of SIZE bytes, COUNT times. */
import { writeFileAtomic } from '../../../../src/infrastructure/files/writeFileAtomic.js';

const [file, size, count] = process.argv.slice(2);
if (file === undefined || size === undefined || count === undefined) {
  throw new Error('usage: rewriteFile.ts FILE SIZE COUNT');
}
for (let i = 0; i < Number(count); i += 1) {
  writeFileAtomic(file, Buffer.alloc(Number(size), i % 2 === 0 ? 'a' : 'b'));
}
