import type { Writable } from 'node:stream';
import { runCommandLine } from './commandTable.js';
import { untilStopped } from './untilStopped.js';

/** Resolves once everything written to the stream so far has been handed to the OS. */
const flushed = (stream: Writable) =>
  new Promise<void>((resolve) => stream.write('', () => resolve()));

// The reader went away (`refunds export | head`): stop quietly, as Unix tools do.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

process.exitCode = await runCommandLine(process.argv.slice(2), {
  env: process.env,
  io: { stdout: process.stdout, stderr: process.stderr, untilStopped: untilStopped() },
});
// Exit once the output is out, even if something a failed command opened is still open.
await flushed(process.stdout);
await flushed(process.stderr);
process.exit();
