import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import type { RefundCommandHandler } from '../../src/application/handleRefundCommand.js';
import type { EventStore } from '../../src/application/ports/eventStore.js';
import { refundCategory } from '../../src/application/refundEventCodec.js';
import { loadConfig, type Config } from '../../src/infrastructure/config/config.js';
import { buildService } from '../../src/main.js';
import type { Service } from '../../src/service.js';
import { eventually } from './eventually.js';
import { makeTempDir } from './tempDir.js';

export type TestApp = {
  app: FastifyInstance;
  dataDir: string;
  events: EventStore;
  service: Service;
  /** The same command handler the service uses, to put refunds into states the API cannot. */
  handle: RefundCommandHandler;
  /** Resolves once every read model has applied everything in the log. */
  projected: () => Promise<void>;
  close: () => Promise<void>;
};

/**
 * The configuration of a test service. Refunds of one order go out at once (WeChat's spacing of
 * ORDER_REFUND_SPACING_SECONDS is off) unless a test about spacing sets it, and there is no daily
 * bill run unless a test about it sets BILL_RECONCILE_TIME.
 */
export const testConfig = (env: NodeJS.ProcessEnv): Config => {
  const result = loadConfig({
    LOG_LEVEL: 'silent',
    ORDER_REFUND_SPACING_SECONDS: '0',
    BILL_RECONCILE_TIME: '',
    ...env,
  });
  if (!result.ok) throw new Error(result.problems.join('\n'));
  return result.config;
};

/**
 * Generating the simulator's CA and certificates takes a while; the tests of one file share them
 * (the simulator reuses what it finds in its cert dir).
 */
let sandboxCertDir: string | undefined;
export const sharedSandboxCertDir = (): string => {
  if (sandboxCertDir === undefined) {
    const temp = makeTempDir('refunds-sandbox-certs-');
    process.once('exit', temp.remove);
    sandboxCertDir = temp.dir;
  }
  return sandboxCertDir;
};

/**
 * Resolves once every read model of the service has applied everything in the log up to now
 * (a running service may append more meanwhile).
 */
export const untilProjected = async (
  service: Pick<Service, 'events' | 'projectionStatuses'>,
): Promise<void> => {
  const head = await service.events.headPosition(refundCategory);
  if (head === undefined) return;
  await eventually(async () => {
    for (const { name, position } of await service.projectionStatuses()) {
      if (position === undefined || position < head) throw new Error(`${name} is behind`);
    }
  });
};

/** The whole service as main.ts composes it, on real SQLite stores in a temp dir, not listening. */
export const createTestApp = async ({
  apiTokens = [],
  env = {},
}: { apiTokens?: string[]; env?: NodeJS.ProcessEnv } = {}): Promise<TestApp> => {
  const temp = makeTempDir();
  const config = testConfig({ DATA_DIR: temp.dir, API_TOKENS: apiTokens.join(','), ...env });
  const service = await buildService(config, {
    logger: pino({ level: 'silent' }),
    sandbox: { certDir: sharedSandboxCertDir() },
  });
  await service.app.ready();
  return {
    app: service.app,
    dataDir: temp.dir,
    events: service.events,
    service,
    handle: service.handle,
    projected: () => untilProjected(service),
    close: async () => {
      await service.close();
      temp.remove();
    },
  };
};
