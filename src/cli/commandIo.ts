import type { Writable } from 'node:stream';
import type { Logger } from 'pino';

/** What a long-running command hands over once it is started: a service, the sandbox. */
export type Stoppable = { close(): Promise<void> };

/**
 * Where a command writes (its result alone on stdout, everything else on stderr) and how it
 * lives: a long-running command started its work, `untilStopped` keeps it until the process is
 * told to stop and closes it; its result is the exit code.
 */
export type CommandIo = {
  stdout: Writable;
  stderr: Writable & { isTTY?: boolean; columns?: number };
  untilStopped: (running: Stoppable, log: Logger) => Promise<number>;
};

/** Writes chunk by chunk, waiting whenever the stream asks to (a slow pipe, a full disk buffer). */
export const writeAll = async (stream: NodeJS.WritableStream, chunks: Iterable<string>) => {
  for (const chunk of chunks) {
    if (!stream.write(chunk)) await new Promise((resolve) => stream.once('drain', resolve));
  }
};
