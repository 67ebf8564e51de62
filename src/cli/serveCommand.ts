import { startService } from '../startService.js';
import { errorMessage } from '../application/errorMessage.js';
import { createLogger } from '../infrastructure/observability/logger.js';
import { defineCommand } from './command.js';

/** `refunds serve`: the service, until SIGTERM or SIGINT. Its log lines go to stdout. */
export const serveCommand = defineCommand({
  name: 'serve',
  options: {},
  description: 'run the refund service (what npm start runs)',
  run: async ({ config }, io) => {
    const logger = createLogger(config.logLevel, io.stdout);
    let service;
    try {
      service = await startService(config, { logger });
    } catch (error) {
      logger.fatal({ err: error }, 'the refund service could not start');
      io.stderr.write(`Cannot start: ${errorMessage(error)}\n`);
      return 1;
    }
    return io.untilStopped(service, logger);
  },
});
