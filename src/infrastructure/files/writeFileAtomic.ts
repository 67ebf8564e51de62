import { randomBytes } from 'node:crypto';
import { renameSync, rmSync, writeFileSync } from 'node:fs';

/**
 * Writes a file whole or not at all: a process killed mid-write leaves a stray temporary file
 * beside it, never a truncated file under the real name (rename is atomic on one file system).
 */
export const writeFileAtomic = (
  file: string,
  data: string | Uint8Array,
  options: { mode?: number } = {},
): void => {
  // Unique per call, so two writers (processes or instances) never share a temporary file.
  const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    writeFileSync(temporary, data, options);
    renameSync(temporary, file);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
};
