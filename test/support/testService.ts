import { pino } from 'pino';
import type { ListeningService } from '../../src/service.js';
import { startService } from '../../src/startService.js';
import { makeTempDir } from './tempDir.js';
import { sharedSandboxCertDir, testConfig } from './testApp.js';

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
  stop: () => Promise<void>;
};

/**
 * The whole service listening on a free loopback port, on SQLite in a temp dir, with the WeChat
 * Pay simulator in-process over real TLS. Retries and reconciliation run on short timers, and the
 * simulator's notification retries a thousand times faster than WeChat's.
 */
export const startTestService = async (env: NodeJS.ProcessEnv = {}): Promise<TestService> => {
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
    logger: pino({ level: 'silent' }),
    healthIntervalMs: 200,
    sandbox: { notificationDelayMs: 20, retryTimeScale: 0.001, certDir: sharedSandboxCertDir() },
  });
  return {
    ...service,
    dataDir: temp.dir,
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
    stop: async () => {
      await service.close();
      temp.remove();
    },
  };
};
