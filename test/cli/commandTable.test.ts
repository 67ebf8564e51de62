import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defineCommand } from '../../src/cli/command.js';
import { commandTable, runCommandLine } from '../../src/cli/commandTable.js';
import { tempDirPerTest } from '../support/fixtures.js';
import { captureIo, runCommand } from './captureIo.js';

describe('the refunds command line', () => {
  const temp = tempDirPerTest();

  it('given no command, or help, then the usage generated from the table on stdout, and exit 0', async () => {
    for (const argv of [[], ['help']]) {
      const run = await runCommand(temp.dir, argv);

      expect(run.code).toBe(0);
      expect(run.stderr).toBe('');
      expect(run.stdout).toMatch(/^Usage: refunds <command> \[options\]\n/);
      for (const command of commandTable) expect(run.stdout).toContain(`  ${command.synopsis}`);
    }
    const usage = (await runCommand(temp.dir, [])).stdout;
    expect(usage).toContain('  history <outRefundNo> [--json]     one refund');
    expect(usage).toContain(
      '  export --format csv|jsonl [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--bom]\n',
    );
  });

  it.each([
    [['projections', 'rebuild', '--port', '1'], "Unknown option '--port'"],
    [['serve', '--json'], "Unknown option '--json'"],
    [['audit', 'now'], 'audit takes no arguments: now'],
    [['history'], 'history takes one outRefundNo'],
    [['history', 'R1', 'R2'], 'history takes one outRefundNo'],
    [['export'], '--format is required'],
    [['export', '--format', 'xml'], '--format must be csv or jsonl'],
    [['sandbox', '--port', 'high'], '--port must be a port number'],
    [['sandbox', '--max-rps', 'fast'], '--max-rps must be a whole number of calls a second'],
    [['projections', 'rebuild', 'nope'], 'Unknown read model: nope'],
    [['projections'], 'Unknown projections command'],
    [['frobnicate'], 'Unknown command: frobnicate'],
  ])(
    'given %j, then exit 64 with the reason and the usage on stderr, and nothing is run',
    async (argv, reason) => {
      const run = await runCommand(temp.dir, argv);

      expect(run.code).toBe(64);
      expect(run.stdout).toBe('');
      expect(run.stderr.startsWith(`${reason}`)).toBe(true);
      expect(run.stderr).toContain('\n\nUsage: refunds <command> [options]\n');
      expect(readdirSync(temp.dir)).toEqual([]);
    },
  );

  it('given a bad command line and a bad configuration, then the command line is judged first (64)', async () => {
    const run = captureIo();
    const code = await runCommandLine(['audit', '--nope'], {
      env: { PORT: 'x', DATA_DIR: temp.dir },
      io: run.io,
    });

    expect(code).toBe(64);
    expect(run.stderr()).toMatch(/^Unknown option '--nope'/);
  });

  it('given bad configuration, then exit 78 with one line for each problem, and nothing is run', async () => {
    const run = captureIo();
    const code = await runCommandLine(['audit'], {
      env: { PORT: 'x', HOST: '0.0.0.0', DATA_DIR: path.join(temp.dir, 'data') },
      io: run.io,
    });

    expect(code).toBe(78);
    expect(run.stderr().trim().split('\n')).toEqual([
      expect.stringMatching(/^Configuration error: PORT:/),
      expect.stringMatching(/^Configuration error: API_TOKENS: required/),
    ]);
    expect(existsSync(path.join(temp.dir, 'data'))).toBe(false);
  });

  it('given a command that fails unexpectedly, then exit 1 with its message, not the usage', async () => {
    const failing = defineCommand({
      name: 'fail',
      options: {},
      description: 'fails',
      run: () => Promise.reject(new Error('the disk is on fire')),
    });
    const run = captureIo();

    const code = await runCommandLine(['fail'], {
      env: { DATA_DIR: temp.dir },
      io: run.io,
      table: [failing],
    });

    expect(code).toBe(1);
    expect(run.stderr()).toBe('the disk is on fire\n');
  });

  it('given the sandbox command in-process, then it prints its JSON line, and closes when stopped', async () => {
    const run = await runCommand(temp.dir, ['sandbox', '--certs', path.join(temp.dir, 'certs')]);

    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({
      baseUrl: expect.stringMatching(/^https:\/\/127\.0\.0\.1:\d+$/),
      certDir: path.join(temp.dir, 'certs'),
    });
  });
});
