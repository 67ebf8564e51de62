import path from 'node:path';
import { errorMessage } from '../application/errorMessage.js';
import { createLogger } from '../infrastructure/observability/logger.js';
import { runSandboxCommand } from '../sandbox/runSandboxCommand.js';
import { defineCommand } from './command.js';
import { UsageError } from './usageError.js';

/**
 * `refunds sandbox [--port N] [--certs DIR] [--max-rps N]`: the WeChat Pay simulator on its own
 * (DESIGN §7).
 */
export const sandboxCommand = defineCommand({
  name: 'sandbox',
  options: {
    port: { type: 'string', value: 'N' },
    certs: { type: 'string', value: 'DIR' },
    'max-rps': { type: 'string', value: 'N' },
  },
  description:
    'run the WeChat Pay simulator (v2 and v3) on loopback; writes its CA, a merchant ' +
    "certificate and WeChat Pay's public key into DIR (default DATA_DIR/sandbox) and prints " +
    'one JSON line to configure any WeChat Pay SDK with (docs/sandbox.md); --max-rps N answers ' +
    'refunds and queries beyond N a second FREQUENCY_LIMITED, as WeChat does beyond 150',
  run: async ({ values, config }, io) => {
    const { port, certs, 'max-rps': maxRps } = values;
    if (port !== undefined && !/^\d{1,5}$/.test(port)) {
      throw new UsageError('--port must be a port number');
    }
    if (maxRps !== undefined && !/^\d{1,6}$/.test(maxRps)) {
      throw new UsageError('--max-rps must be a whole number of calls a second');
    }
    const logger = createLogger(config.logLevel, io.stderr);
    let running;
    try {
      running = await runSandboxCommand({
        ...(port !== undefined && { port: Number(port) }),
        certDir: certs ?? path.join(config.dataDir, 'sandbox'),
        ...(maxRps !== undefined && { maxRequestsPerSecond: Number(maxRps) }),
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
