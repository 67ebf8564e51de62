import path from 'node:path';
import { parseArgs } from 'node:util';
import { auditCommand } from './auditCommand.js';
import { exportCommand } from './exportCommand.js';
import { historyCommand } from './historyCommand.js';
import { rebuildCommand, projectionNames } from './rebuildCommand.js';
import { UsageError } from './usageError.js';
import { loadConfig, type Config } from '../infrastructure/config/config.js';
import { createLogger } from '../infrastructure/observability/logger.js';
import { runSandboxCommand } from '../sandbox/runSandboxCommand.js';
import { startService } from '../startService.js';
import { errorMessage } from '../application/errorMessage.js';

const usage = `Usage: refunds <command> [options]

Commands:
  serve                              run the refund service (what npm start runs)
  projections rebuild [name] [--json]
                                     rebuild read models from the event log, aside from the
                                     live ones, then switch (${projectionNames.join(', ')})
  audit [--json] [--stale-after SECONDS]
                                     replay every refund event, check the rules and the read
                                     models; exit 0 clean, 1 anomalies, 2 store unreadable
  history <outRefundNo> [--json]     one refund's events as a timeline; exit 1 if unknown
  export --format csv|jsonl [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--bom]
                                     one row per refund, replayed from the log; --from/--to
                                     select by requestedAt, China time (UTC+8), inclusive
  sandbox [--port N] [--certs DIR]   run the WeChat Pay v2 simulator on loopback; writes its CA
                                     and a merchant certificate into DIR (default
                                     DATA_DIR/sandbox) and prints one JSON line to configure
                                     any WeChat Pay SDK with (docs/sandbox.md)

audit, history and export only read: they run beside the service on the same DATA_DIR.

Every command reads the configuration variables of docs/DESIGN.md §4 from the environment.
Results go to stdout, logs to stderr.`;

/** Exit codes: 64 usage, 78 configuration, 1 failure. */
const exitWith = (code: number, message: string): never => {
  process.stderr.write(`${message}\n`);
  process.exit(code);
};

const configOrExit = (): Config => {
  const result = loadConfig(process.env);
  if (result.ok) return result.config;
  for (const problem of result.problems) process.stderr.write(`Configuration error: ${problem}\n`);
  process.exit(78);
};

const serve = async (): Promise<void> => {
  const config = configOrExit();
  const logger = createLogger(config.logLevel);
  const service = await startService(config, { logger }).catch((error: unknown) => {
    logger.fatal({ err: error }, 'the refund service could not start');
    return exitWith(1, `Cannot start: ${errorMessage(error)}`);
  });
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    service.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
};

const rebuild = async (names: string[], json: boolean): Promise<void> => {
  const config = configOrExit();
  // Logs go to stderr (fd 2): stdout carries the result only.
  const logger = createLogger(config.logLevel, process.stderr);
  const unknown = names.filter((name) => !projectionNames.some((known) => known === name));
  if (unknown.length > 0) exitWith(64, `Unknown read model: ${unknown.join(', ')}\n\n${usage}`);
  const results = await rebuildCommand({
    config,
    names: names.length > 0 ? names : projectionNames,
    logger,
  }).catch((error: unknown) => exitWith(1, `Rebuild failed: ${errorMessage(error)}`));
  if (json) {
    const report = results.map(({ name, result }) =>
      result.ok
        ? { name, ok: true, generation: result.generation, events: result.events }
        : { name, ok: false, reason: result.reason },
    );
    process.stdout.write(`${JSON.stringify({ rebuilt: report })}\n`);
  } else {
    for (const { name, result } of results) {
      process.stdout.write(
        result.ok
          ? `${name}: rebuilt from ${result.events} events as generation ${result.generation}\n`
          : `${name}: another rebuild switched first; nothing changed\n`,
      );
    }
  }
  if (results.some(({ result }) => !result.ok)) process.exit(1);
};

const sandbox = async (port: string | undefined, certs: string | undefined): Promise<void> => {
  const config = configOrExit();
  if (port !== undefined && !/^\d{1,5}$/.test(port))
    exitWith(64, `--port must be a port number\n\n${usage}`);
  const logger = createLogger(config.logLevel, process.stderr);
  const running = await runSandboxCommand({
    ...(port !== undefined && { port: Number(port) }),
    certDir: certs ?? path.join(config.dataDir, 'sandbox'),
    stdout: process.stdout,
    logger,
  }).catch((error: unknown) => exitWith(1, `Cannot start the sandbox: ${errorMessage(error)}`));
  const stop = () => void running.close().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
};

const readOnlyCommands = { audit: auditCommand, history: historyCommand, export: exportCommand };

/** The read-only commands parse their own options; exitCode, not exit(), lets stdout drain. */
const readOnly = async (name: keyof typeof readOnlyCommands, args: string[]): Promise<void> => {
  const config = configOrExit();
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    // The reader went away (`refunds export | head`): stop quietly, as Unix tools do.
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
  const io = { stdout: process.stdout, stderr: process.stderr };
  process.exitCode = await readOnlyCommands[name]({ config, args, io });
};

const main = async (argv: string[]): Promise<void> => {
  const [first, ...args] = argv;
  if (first === 'audit' || first === 'history' || first === 'export') return readOnly(first, args);
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      json: { type: 'boolean', default: false },
      port: { type: 'string' },
      certs: { type: 'string' },
    },
  });
  const [command, ...rest] = positionals;
  switch (command) {
    case 'serve':
      return serve();
    case 'sandbox':
      return sandbox(values.port, values.certs);
    case 'projections':
      if (rest[0] !== 'rebuild') return exitWith(64, `Unknown projections command\n\n${usage}`);
      return rebuild(rest.slice(1), values.json);
    case undefined:
    case 'help':
      process.stdout.write(`${usage}\n`);
      return;
    default:
      return exitWith(64, `Unknown command: ${command}\n\n${usage}`);
  }
};

await main(process.argv.slice(2)).catch((error: unknown) =>
  exitWith(64, error instanceof UsageError ? `${error.message}\n\n${usage}` : errorMessage(error)),
);
