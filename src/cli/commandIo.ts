import type { Config } from '../infrastructure/config/config.js';

/** Where a command writes: its result alone on stdout, everything else on stderr. */
export type CommandIo = {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
};

/** What a command gets: the configuration, its own arguments (after its name), its streams. */
export type CommandInput = { config: Config; args: string[]; io: CommandIo };

/** Writes chunk by chunk, waiting whenever the stream asks to (a slow pipe, a full disk buffer). */
export const writeAll = async (stream: NodeJS.WritableStream, chunks: Iterable<string>) => {
  for (const chunk of chunks) {
    if (!stream.write(chunk)) await new Promise((resolve) => stream.once('drain', resolve));
  }
};
