import { loadConfig } from '../infrastructure/config/config.js';
import { errorMessage } from '../application/errorMessage.js';
import { auditCommand } from './auditCommand.js';
import { billsReconcileCommand } from './billsReconcileCommand.js';
import type { Command } from './command.js';
import type { CommandIo } from './commandIo.js';
import { exportCommand } from './exportCommand.js';
import { historyCommand } from './historyCommand.js';
import { rebuildCommand } from './rebuildCommand.js';
import { sandboxCommand } from './sandboxCommand.js';
import { serveCommand } from './serveCommand.js';
import { UsageError } from './usageError.js';

/** Every command of `refunds`, in the order the usage lists them. A new command is a new row. */
export const commandTable: readonly Command[] = [
  serveCommand,
  rebuildCommand,
  auditCommand,
  historyCommand,
  exportCommand,
  billsReconcileCommand,
  sandboxCommand,
];

/** Exit codes every command shares (DESIGN §7): the others are each command's own. */
const exitCodes = { usage: 64, configuration: 78, failure: 1 } as const;

const column = 35;
const width = 58;

const wrap = (text: string): string[] => {
  const lines: string[] = [];
  for (const word of text.split(' ')) {
    const last = lines.at(-1);
    if (last !== undefined && last.length + 1 + word.length <= width) {
      lines[lines.length - 1] = `${last} ${word}`;
    } else {
      lines.push(word);
    }
  }
  return lines;
};

const entry = ({ synopsis, description }: Command): string => {
  const [first = '', ...rest] = wrap(description);
  const indent = ' '.repeat(column + 2);
  const head =
    synopsis.length < column - 1
      ? [`  ${synopsis.padEnd(column)}${first}`]
      : [`  ${synopsis}`, `${indent}${first}`];
  return [...head, ...rest.map((line) => `${indent}${line}`)].join('\n');
};

/** The usage text, generated from the table. */
export const usageOf = (table: readonly Command[]): string => `Usage: refunds <command> [options]

Commands:
${table.map(entry).join('\n')}

audit, history and export only read: they run beside the service on the same DATA_DIR.

Every command reads the configuration variables of docs/DESIGN.md §4 from the environment.
Results go to stdout, logs to stderr.`;

/** The command argv names (its words come first) and the arguments after them. */
const find = (table: readonly Command[], argv: string[]) => {
  for (const command of table) {
    const words = command.name.split(' ');
    if (words.every((word, i) => argv[i] === word)) {
      return { command, rest: argv.slice(words.length) };
    }
  }
  const [first] = argv;
  const group = table.some((command) => command.name.startsWith(`${first} `));
  throw new UsageError(group ? `Unknown ${first} command` : `Unknown command: ${first}`);
};

/**
 * Runs `refunds <argv>`: finds the command, parses its arguments (64 with the usage when they are
 * wrong), reads the configuration from `env` (78 with one line per problem), runs it.
 */
export const runCommandLine = async (
  argv: string[],
  {
    env,
    io,
    table = commandTable,
  }: { env: NodeJS.ProcessEnv; io: CommandIo; table?: readonly Command[] },
): Promise<number> => {
  const usage = usageOf(table);
  if (argv.length === 0 || (argv.length === 1 && argv[0] === 'help')) {
    io.stdout.write(`${usage}\n`);
    return 0;
  }
  try {
    const { command, rest } = find(table, argv);
    const run = command.parse(rest);
    const config = loadConfig(env);
    if (!config.ok) {
      for (const problem of config.problems) io.stderr.write(`Configuration error: ${problem}\n`);
      return exitCodes.configuration;
    }
    return await run(config.config, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`${error.message}\n\n${usage}\n`);
      return exitCodes.usage;
    }
    io.stderr.write(`${errorMessage(error)}\n`);
    return exitCodes.failure;
  }
};
