import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { BACKWARDS, END } from '@eventstore/db-client';
import { z } from 'zod';
import { freePort, root, run, waitFor, type Running } from '../../bench/support/processes.js';
import { connectEsdb } from '../../src/infrastructure/esdb/esdbConnection.js';
import { connectMongo } from '../../src/infrastructure/mongo/mongoConnection.js';
import { liveWechatEnvOf, sandboxLineSchema } from '../../src/sandbox/runSandboxCommand.js';

/*
 * What the end-to-end flows share: the engines they need, the WeChat Pay sandbox as a process of
 * its own (`refunds sandbox`, as real WeChat is), and the service started as `npm start` starts it.
 */

/** Every flow's read models, whichever ran before on the same engines (the audit needs them all). */
export const e2eMongoDb = 'refunds_e2e';

export const say = (line: string): void => void process.stdout.write(`${line}\n`);

/** The servers the flows run against, from the environment (the gated suites' variables). */
export const enginesFromEnv = (): { esdb: string; mongo: string } => {
  const esdb = process.env['ESDB_CONNECTION_STRING'];
  const mongo = process.env['MONGO_URL'];
  if (!esdb || !mongo) throw new Error('set ESDB_CONNECTION_STRING and MONGO_URL');
  return { esdb, mongo };
};

/**
 * Waits until both servers answer a real request: a read of $all, and a ping. A server that is
 * merely up (EventStoreDB's /health/live) may not serve reads yet.
 */
export const waitForEngines = async (
  { esdb, mongo }: { esdb: string; mongo: string },
  timeoutMs = 120_000,
): Promise<void> => {
  const eventStore = connectEsdb(esdb);
  const readStore = connectMongo(mongo);
  try {
    await waitFor(
      async () => {
        for await (const _ of eventStore.readAll({
          direction: BACKWARDS,
          fromPosition: END,
          maxCount: 1,
        }));
        return true;
      },
      timeoutMs,
      'EventStoreDB to answer a read of $all',
    );
    await waitFor(
      async () => (await readStore.db('admin').command({ ping: 1 }))['ok'] === 1,
      timeoutMs,
      'MongoDB to answer a ping',
    );
  } finally {
    await eventStore.dispose();
    await readStore.close();
  }
};

export type Sandbox = z.infer<typeof sandboxLineSchema> & { process: Running };

/** `refunds sandbox` in a process of its own, as the outside system WeChat Pay is. */
export const startSandbox = async (certDir: string): Promise<Sandbox> => {
  const process = run('node', ['bin/refunds.js', 'sandbox', '--certs', certDir], {
    LOG_LEVEL: 'warn',
  });
  return { ...sandboxLineSchema.parse(JSON.parse(await process.firstLine)), process };
};

const listedRefunds = z.array(
  z.object({ outRefundNo: z.string(), status: z.string(), calls: z.number() }),
);

/** What the sandbox holds (GET /sandbox/refunds), with the calls made per out_refund_no. */
export const sandboxLedger = (sandbox: Sandbox): Promise<z.infer<typeof listedRefunds>> =>
  new Promise((resolve, reject) => {
    const call = request(
      `${sandbox.baseUrl}/sandbox/refunds`,
      { ca: readFileSync(sandbox.caPath) },
      (response) => {
        let body = '';
        response.on('data', (chunk: Buffer) => (body += chunk.toString()));
        response.on('end', () => {
          try {
            resolve(listedRefunds.parse(JSON.parse(body)));
          } catch (error) {
            reject(error instanceof Error ? error : new Error(String(error)));
          }
        });
      },
    );
    call.on('error', reject);
    call.end();
  });

export type Service = { url: string; process: Running };

/**
 * `refunds serve` on both engines, in live mode against the sandbox; notifications come back to
 * this instance's own address. `env` adds to (or overrides) that configuration.
 */
export const startService = async ({
  engines,
  mongoDb,
  sandbox,
  dataDir,
  env = {},
}: {
  engines: { esdb: string; mongo: string };
  mongoDb: string;
  sandbox: Sandbox;
  dataDir: string;
  env?: NodeJS.ProcessEnv;
}): Promise<Service> => {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const process = run('node', ['bin/refunds.js', 'serve'], {
    ...serviceEnv({ engines, mongoDb, dataDir }),
    PORT: String(port),
    PUBLIC_BASE_URL: url,
    ...liveWechatEnvOf(sandbox),
    LOG_LEVEL: 'warn',
    ...env,
  });
  await waitFor(async () => (await fetch(`${url}/readyz`)).status === 200, 120_000, `${url} ready`);
  return { url, process };
};

/** The configuration every process of a flow shares: the engines and where DATA_DIR is. */
export const serviceEnv = ({
  engines,
  mongoDb,
  dataDir,
}: {
  engines: { esdb: string; mongo: string };
  mongoDb: string;
  dataDir: string;
}): NodeJS.ProcessEnv => ({
  EVENT_STORE: 'esdb',
  ESDB_CONNECTION_STRING: engines.esdb,
  READ_STORE: 'mongo',
  MONGO_URL: engines.mongo,
  MONGO_DB: mongoDb,
  DATA_DIR: dataDir,
});

const refundBody = z.object({
  outRefundNo: z.string(),
  status: z.string(),
  failure: z.object({ code: z.string() }).optional(),
});
export type RefundBody = z.infer<typeof refundBody>;

export const requestRefund = async (
  service: Service,
  body: { outTradeNo: string; outRefundNo: string; totalFee: number; reason?: string },
): Promise<void> => {
  const answer = await fetch(`${service.url}/v1/refunds`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (answer.status !== 202) {
    throw new Error(`POST /v1/refunds answered ${answer.status}: ${await answer.text()}`);
  }
};

export const getRefund = async (service: Service, outRefundNo: string): Promise<RefundBody> => {
  const answer = await fetch(`${service.url}/v1/refunds/${outRefundNo}`);
  if (answer.status !== 200) throw new Error(`GET ${outRefundNo} answered ${answer.status}`);
  return refundBody.parse(await answer.json());
};

/** Waits until the refund has the status, and returns it. */
export const refundReaches = async (
  service: Service,
  outRefundNo: string,
  status: string,
  timeoutMs = 60_000,
): Promise<RefundBody> => {
  let last: RefundBody | undefined;
  await waitFor(
    async () => (last = await getRefund(service, outRefundNo)).status === status,
    timeoutMs,
    `${outRefundNo} to be ${status}`,
  );
  if (!last) throw new Error(`${outRefundNo} was never read`);
  return last;
};

const auditReport = z.object({
  clean: z.boolean(),
  statuses: z.record(z.string(), z.number()),
  anomalies: z.unknown(),
});

/** `refunds audit --json` on the same engines; fails unless it exits 0 with a clean report. */
export const auditIsClean = async (
  env: NodeJS.ProcessEnv,
): Promise<z.infer<typeof auditReport>> => {
  const audit = spawn('node', ['bin/refunds.js', 'audit', '--json'], {
    cwd: root,
    env: { ...process.env, ...env, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let stdout = '';
  audit.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => audit.once('close', resolve));
  const report = auditReport.parse(JSON.parse(stdout));
  if (code !== 0 || !report.clean) {
    throw new Error(`the audit is not clean (exit ${code}): ${JSON.stringify(report.anomalies)}`);
  }
  return report;
};
