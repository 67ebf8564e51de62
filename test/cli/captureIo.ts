import { Writable } from 'node:stream';
import type { CommandIo } from '../../src/cli/commandIo.js';
import { runCommandLine } from '../../src/cli/commandTable.js';

const capture = () => {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  return { stream, text: () => text };
};

/**
 * Streams for a command run in-process, and what it wrote to each (stderr is not a TTY). A
 * long-running command is closed as soon as it has started, as if stopped at once.
 */
export const captureIo = () => {
  const stdout = capture();
  const stderr = capture();
  const io: CommandIo = {
    stdout: stdout.stream,
    stderr: stderr.stream,
    untilStopped: async (running) => {
      await running.close();
      return 0;
    },
  };
  return { io, stdout: stdout.text, stderr: stderr.text };
};

/** Runs `refunds <argv>` in-process on DATA_DIR `dataDir`: its exit code and what it wrote. */
export const runCommand = async (dataDir: string, argv: string[], io = captureIo()) => {
  const code = await runCommandLine(argv, {
    env: { LOG_LEVEL: 'silent', DATA_DIR: dataDir },
    io: io.io,
  });
  return { code, stdout: io.stdout(), stderr: io.stderr() };
};
