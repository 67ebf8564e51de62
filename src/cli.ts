import { parseArgs } from 'node:util';
import { loadConfig, type Config } from './infrastructure/config/config.js';
import { createLogger } from './infrastructure/observability/logger.js';
import { startService } from './main.js';

const usage = `Usage: refunds <command> [options]

Commands:
  serve                      run the refund service (what npm start runs)

Every command reads the configuration variables of DESIGN.md §4 from the environment.`;

const exitUsage = (message: string): never => {
  process.stderr.write(`${message}\n\n${usage}\n`);
  process.exit(64);
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
  let service;
  try {
    service = await startService(config, { logger });
  } catch (error) {
    logger.fatal({ err: error }, 'the refund service could not start');
    process.stderr.write(
      `Cannot start: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exit(1);
  }
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

const main = async (argv: string[]): Promise<void> => {
  const { positionals } = parseArgs({ args: argv, allowPositionals: true, strict: false });
  const [command] = positionals;
  switch (command) {
    case 'serve':
      return serve();
    case undefined:
    case 'help':
      process.stdout.write(`${usage}\n`);
      return;
    default:
      exitUsage(`Unknown command: ${command}`);
  }
};

await main(process.argv.slice(2));
