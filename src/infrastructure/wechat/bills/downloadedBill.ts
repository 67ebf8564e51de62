import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { BillUnavailable, BillUnreadable } from '../../../application/bills/billErrors.js';
import type { Bill, BillSource } from '../../../application/bills/billRecords.js';
import { errorMessage } from '../../../application/errorMessage.js';
import { readBill, uncompressed } from './readBill.js';

const sha1Of = async (file: string): Promise<string> => {
  const hash = createHash('sha1');
  for await (const chunk of await uncompressed(createReadStream(file)))
    hash.update(chunk as Buffer);
  return hash.digest('hex');
};

/**
 * A bill as WeChat sends it, saved to a temporary file before anything is read from it, so that a
 * download that breaks off, or whose SHA1 (WECHAT-V3.md §7: of the uncompressed file) differs, is
 * refused before a row is compared. The rows are then streamed from the file; `close` removes it.
 */
export const downloadedBill = async (
  body: Readable,
  { source, sha1 }: { source: BillSource; sha1?: string },
): Promise<Bill> => {
  const dir = await mkdtemp(path.join(tmpdir(), 'refund-bill-'));
  const close = () => rm(dir, { recursive: true, force: true });
  const file = path.join(dir, 'bill');
  try {
    try {
      await pipeline(body, createWriteStream(file));
    } catch (error) {
      throw new BillUnavailable(`the bill download broke off: ${errorMessage(error)}`);
    }
    if (sha1 !== undefined) {
      const actual = await sha1Of(file).catch((error: unknown) => {
        throw new BillUnreadable(`the downloaded bill cannot be read: ${errorMessage(error)}`);
      });
      if (actual.toLowerCase() !== sha1.toLowerCase()) {
        throw new BillUnreadable(`the downloaded bill's SHA1 is ${actual}, WeChat said ${sha1}`);
      }
    }
  } catch (error) {
    await close();
    throw error;
  }
  return { kind: 'bill', source, items: readBill(createReadStream(file)), close };
};

/** A bill file a person gives (`refunds bills reconcile --file`), gzip or not. */
export const billFile = (file: string): Bill => ({
  kind: 'bill',
  source: 'file',
  items: readBill(createReadStream(file)),
});
