import type { IncomingMessage } from 'node:http';

const maxBodyBytes = 64 * 1024;

/** The body of a request to the sandbox; undefined when it is larger than 64 KiB. */
export const readRequestBody = async (request: IncomingMessage): Promise<Buffer | undefined> => {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > maxBodyBytes) return undefined;
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
};
