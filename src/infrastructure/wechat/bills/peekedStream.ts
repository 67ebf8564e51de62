import { Readable } from 'node:stream';

/**
 * The first chunk of a byte stream, and the whole stream again (that chunk included): a reader
 * that must look at the first bytes (gzip or not, XML or a bill) before it chooses how to read.
 */
export const peeked = async (
  input: AsyncIterable<Buffer>,
): Promise<{ first: Buffer | undefined; all: Readable }> => {
  const iterator = input[Symbol.asyncIterator]();
  const head = await iterator.next();
  const first: Buffer | undefined = head.done ? undefined : head.value;
  const all = Readable.from(
    (async function* () {
      if (first === undefined) return;
      yield first;
      for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
        yield next.value;
      }
    })(),
  );
  return { first, all };
};
