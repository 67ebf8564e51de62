import type { FastifyInstance } from 'fastify';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach } from 'vitest';
import type { RefundCommandHandler } from '../../src/application/handleRefundCommand.js';
import type { DocumentStore } from '../../src/application/ports/documentStore.js';
import type { EventStore } from '../../src/application/ports/eventStore.js';
import { refundCategory } from '../../src/application/refundEventCodec.js';
import { loadConfig, type Config } from '../../src/infrastructure/config/config.js';
import { createSqliteDocumentStore } from '../../src/infrastructure/sqlite/sqliteDocumentStore.js';
import { createSqliteEventStore } from '../../src/infrastructure/sqlite/sqliteEventStore.js';
import { buildService } from '../../src/main.js';
import type { Service } from '../../src/service.js';
import { eventually } from './eventually.js';
import { killHard, spawnTs } from './spawnTs.js';

/**
 * The fixtures of the suite, all made the same way: `const t = testAppPerTest();` in a describe
 * block gives each of its tests a fresh one, made before the test and closed after it (in the
 * reverse order of the calls, after the block's own afterEach). Outside a test it throws.
 */
export const perTest = <T extends object>(
  open: () => T | Promise<T>,
  close: (fixture: T) => unknown,
): T => {
  let current: T | undefined;
  beforeEach(async () => {
    current = await open();
  });
  afterEach(async () => {
    const fixture = current;
    current = undefined;
    if (fixture !== undefined) await close(fixture);
  });
  const now = (): T => {
    if (current === undefined) throw new Error('a per-test fixture is there only within a test');
    return current;
  };
  // Spread, Object.keys and assignments reach the fixture of the running test, not the proxy's empty target.
  const target: object = {};
  return new Proxy(target, {
    get: (_target, property) => Reflect.get(now(), property, now()),
    set: (_target, property, value) => Reflect.set(now(), property, value),
    ownKeys: () => Reflect.ownKeys(now()),
    getOwnPropertyDescriptor: (_target, property) => {
      const descriptor = Reflect.getOwnPropertyDescriptor(now(), property);
      return descriptor && { ...descriptor, configurable: true };
    },
  }) as T;
};

export type TempDir = { dir: string; remove: () => void };

/** A fresh directory under the OS temp dir, and a function that removes it. */
export const makeTempDir = (prefix = 'refunds-test-'): TempDir => {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
};

export const tempDirPerTest = (prefix?: string): TempDir =>
  perTest(
    () => makeTempDir(prefix),
    (temp) => temp.remove(),
  );

export type SqliteStores = { dir: string; events: EventStore; documents: DocumentStore };

/** The embedded stores, as the service keeps them in DATA_DIR (events.db, read.db). */
export const openSqliteStores = (dir: string): SqliteStores => ({
  dir,
  events: createSqliteEventStore({ file: path.join(dir, 'events.db') }),
  documents: createSqliteDocumentStore({ file: path.join(dir, 'read.db') }),
});

/** The embedded stores in a fresh temp dir: `stores.events`, `stores.documents`, `stores.dir`. */
export const sqliteStoresPerTest = (): SqliteStores =>
  perTest(
    () => openSqliteStores(makeTempDir().dir),
    async ({ dir, events, documents }) => {
      await documents.close();
      await events.close();
      rmSync(dir, { recursive: true, force: true });
    },
  );

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
export type TestAppOptions = { apiTokens?: string[]; env?: NodeJS.ProcessEnv };

export const createTestApp = async ({
  apiTokens = [],
  env = {},
}: TestAppOptions = {}): Promise<TestApp> => {
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

/** The whole service, not listening, on SQLite in a temp dir : `t.app.inject(…)`. */
export const testAppPerTest = (options?: TestAppOptions): TestApp =>
  perTest(
    () => createTestApp(options),
    (t) => t.close(),
  );

type Spawned = ReturnType<typeof spawnTs>;

/** spawnTs, with every process it started killed (SIGKILL) after the test. */
export const spawnedPerTest = (): { spawn: typeof spawnTs } =>
  perTest(
    () => {
      const children: Spawned[] = [];
      return {
        children,
        spawn: (...args: Parameters<typeof spawnTs>): Spawned => {
          const child = spawnTs(...args);
          children.push(child);
          return child;
        },
      };
    },
    async ({ children }) => {
      for (const child of children) await killHard(child);
    },
  );
