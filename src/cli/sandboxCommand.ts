import path from 'node:path';
import { errorMessage } from '../application/errorMessage.js';
import { createLogger } from '../infrastructure/observability/logger.js';
import { runSandboxCommand } from '../sandbox/runSandboxCommand.js';
import { defineCommand } from './command.js';
import { UsageError } from './usageError.js';

/** `refunds sandbox [--port N] [--certs DIR]`: the WeChat Pay simulator on its own (DESIGN §7). */
export const sandboxCommand = defineCommand({
  name: 'sandbox',
  options: {
    port: { type: 'string', value: 'N' },
    certs: { type: 'string', value: 'DIR' },
  },
  description:
    'run the WeChat Pay simulator (v2 and v3) on loopback; writes its CA, a merchant ' +
    "certificate and WeChat Pay's public key into DIR (default DATA_DIR/sandbox) and prints " +
    'one JSON line to configure any WeChat Pay SDK with (docs/sandbox.md)',
  run: async ({ values, config }, io) => {
    const { port, certs } = values;
    if (port !== undefined && !/^\d{1,5}$/.test(port)) {
      throw new UsageError('--port must be a port number');
    }
    const logger = createLogger(config.logLevel, io.stderr);
    let running;
    try {
      running = await runSandboxCommand({
        ...(port !== undefined && { port: Number(port) }),
        certDir: certs ?? path.join(config.dataDir, 'sandbox'),
        stdout: io.stdout,
        logger,
      });
    } catch (error) {
      io.stderr.write(`Cannot start the sandbox: ${errorMessage(error)}\n`);
      return 1;
    }
    return io.untilStopped(running, logger);
  },
});
