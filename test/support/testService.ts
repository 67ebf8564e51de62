import { pino, type Logger } from 'pino';
import { expect } from 'vitest';
import { documentCheckpoints } from '../../src/application/documentCheckpoints.js';
import type { Clock } from '../../src/application/ports/clock.js';
import type { BillRunTuning, ListeningService, WebhookTuning } from '../../src/service.js';
import { startService } from '../../src/startService.js';
import {
  openReadOnlyDocumentStore,
  openReadOnlyEventStore,
} from '../../src/infrastructure/stores/openReadOnlyStores.js';
import { eventually } from './eventually.js';
import { makeTempDir, sharedSandboxCertDir, testConfig, untilProjected } from './fixtures.js';

// Response bodies are JSON of whatever shape the test asserts.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

/** GET a URL and parse its JSON body. */
export const getJson = async (url: string): Promise<Json> => (await fetch(url)).json();

export type TestService = ListeningService & {
  dataDir: string;
  /** fetch against the service; JSON bodies are sent as such. */
  call: (
    method: string,
    path: string,
    body?: unknown,
  ) => Promise<{ status: number; json: () => Promise<Json> }>;
  /** Resolves once every read model has applied everything in the log. */
  projected: () => Promise<void>;
  stop: () => Promise<void>;
};

/**
 * The whole service listening on a free loopback port, on SQLite in a temp dir, with the WeChat
 * Pay simulator in-process over real TLS. Retries and reconciliation run on short timers, and the
 * simulator's notification retries a thousand times faster than WeChat's.
 */
export const startTestService = async (
  env: NodeJS.ProcessEnv = {},
  {
    logger = pino({ level: 'silent' }),
    webhooks,
    clock,
    billRun,
  }: { logger?: Logger; webhooks?: WebhookTuning; clock?: Clock; billRun?: BillRunTuning } = {},
): Promise<TestService> => {
  const temp = makeTempDir();
  const config = testConfig({
    DATA_DIR: temp.dir,
    PORT: '0',
    GATEWAY_RETRY_BASE_MS: '20',
    RECONCILE_AFTER_SECONDS: '1',
    RECONCILE_INTERVAL_SECONDS: '1',
    WECHAT_MAX_RPS: '0',
    ...env,
  });
  const service = await startService(config, {
    logger,
    healthIntervalMs: 200,
    sandbox: { notificationDelayMs: 20, retryTimeScale: 0.001, certDir: sharedSandboxCertDir() },
    ...(webhooks && { webhooks }),
    ...(clock && { clock }),
    ...(billRun && { billRun }),
  });
  return {
    ...service,
    dataDir: config.dataDir,
    call: async (method, path, body) => {
      const response = await fetch(`${service.url}${path}`, {
        method,
        ...(body !== undefined && {
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        }),
      });
      const text = await response.text();
      return { status: response.status, json: () => Promise.resolve(JSON.parse(text)) };
    },
    projected: () => untilProjected(service),
    stop: async () => {
      await service.close();
      temp.remove();
    },
  };
};

/** A service's stores opened read-only beside it, as `refunds audit` opens them. */
export const readOnlyStoresOf = ({ dataDir }: { dataDir: string }) => {
  const config = testConfig({ DATA_DIR: dataDir });
  const events = openReadOnlyEventStore(config);
  const documents = openReadOnlyDocumentStore(config);
  if (!documents) throw new Error(`no read models in ${dataDir}`);
  return {
    events,
    documents,
    close: async () => {
      await documents.close();
      await events.close();
    },
  };
};

/**
 * Resolves once the service's reactor of that name is done with every event up to the position:
 * its checkpoint moves past an event only once the event is fully handled.
 */
export const reactorPassed = async (
  s: { dataDir: string },
  reactor: string,
  position: bigint,
  { timeoutMs }: { timeoutMs?: number } = {},
): Promise<void> => {
  const beside = readOnlyStoresOf(s);
  try {
    const checkpoints = documentCheckpoints(beside.documents);
    await eventually(
      async () => expect((await checkpoints.load(`${reactor}_reactor`))! >= position).toBe(true),
      { ...(timeoutMs !== undefined && { timeoutMs }) },
    );
  } finally {
    await beside.close();
  }
};

/** Resolves once the gateway reactor is done with every event up to the position. */
export const gatewayPassed = (s: { dataDir: string }, position: bigint): Promise<void> =>
  reactorPassed(s, 'gateway', position);
