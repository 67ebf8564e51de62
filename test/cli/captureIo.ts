import { Writable } from 'node:stream';
import type { CommandInput, CommandIo } from '../../src/cli/commandIo.js';
import { testConfig } from '../support/testApp.js';

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

/** Streams for a command run in-process, and what it wrote to each (stderr is not a TTY). */
export const captureIo = () => {
  const stdout = capture();
  const stderr = capture();
  const io: CommandIo = { stdout: stdout.stream, stderr: stderr.stream };
  return { io, stdout: stdout.text, stderr: stderr.text };
};

/** Runs a command in-process on DATA_DIR `dataDir`: its exit code and what it wrote. */
export const runCommand = async (
  command: (input: CommandInput) => Promise<number>,
  dataDir: string,
  args: string[],
) => {
  const run = captureIo();
  const code = await command({ config: testConfig({ DATA_DIR: dataDir }), args, io: run.io });
  return { code, stdout: run.stdout(), stderr: run.stderr() };
};
