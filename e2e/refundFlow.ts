/**
 * The service end to end on EventStoreDB and MongoDB, with `refunds sandbox` as WeChat Pay: a
 * refund to SUCCEEDED, a NOTENOUGH refused then retried, a lost notification settled by the
 * reconciler, and `refunds audit` clean over everything the engines hold.
 *
 *   npm run build && ESDB_CONNECTION_STRING=… MONGO_URL=… node --import tsx e2e/refundFlow.ts
 *
 * The engines may hold earlier runs, of this flow or the two-instance one: refund numbers are
 * unique per run, and every run keeps its read models in the same MONGO_DB, so the audit compares
 * the whole log with read models of the whole log.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import {
  auditIsClean,
  e2eMongoDb,
  enginesFromEnv,
  refundReaches,
  requestRefund,
  say,
  serviceEnv,
  startSandbox,
  startService,
  waitForEngines,
} from './support/engines.js';

const engines = enginesFromEnv();
say('waiting for EventStoreDB and MongoDB to answer reads');
await waitForEngines(engines);

const work = mkdtempSync(path.join(tmpdir(), 'refunds-e2e-'));
const run = `E2E${Date.now().toString(36).toUpperCase()}`;
const shared = { engines, mongoDb: e2eMongoDb, dataDir: path.join(work, 'data') };
const sandbox = await startSandbox(path.join(work, 'wechat'));
const service = await startService({
  ...shared,
  sandbox,
  env: {
    GATEWAY_RETRY_BASE_MS: '200',
    RECONCILE_AFTER_SECONDS: '2',
    RECONCILE_INTERVAL_SECONDS: '1',
  },
});

const eventsSchema = z.object({
  events: z.array(z.object({ type: z.string(), metadata: z.object({ source: z.string() }) })),
});

try {
  say('1/4 a refund goes to SUCCEEDED');
  await requestRefund(service, {
    outTradeNo: `${run}T1`,
    outRefundNo: `${run}R1`,
    totalFee: 3960,
    reason: '商品已退货',
  });
  await refundReaches(service, `${run}R1`, 'SUCCEEDED');

  say('2/4 NOTENOUGH fails the refund; a retry succeeds');
  await requestRefund(service, {
    outTradeNo: `${run}T2`,
    outRefundNo: `${run}R2`,
    totalFee: 100,
    reason: '库存不足 [sandbox:NOTENOUGH]',
  });
  const failed = await refundReaches(service, `${run}R2`, 'FAILED');
  if (failed.failure?.code !== 'NOTENOUGH')
    throw new Error(`R2 failed with ${failed.failure?.code}`);
  const retried = await fetch(`${service.url}/v1/refunds/${run}R2/retry`, { method: 'POST' });
  if (retried.status !== 202) throw new Error(`the retry answered ${retried.status}`);
  await refundReaches(service, `${run}R2`, 'SUCCEEDED');

  say('3/4 a notification WeChat never sends: the reconciler settles the refund');
  await requestRefund(service, {
    outTradeNo: `${run}T3`,
    outRefundNo: `${run}R3`,
    totalFee: 500,
    reason: '[sandbox:LOST_NOTIFICATION]',
  });
  await refundReaches(service, `${run}R3`, 'SUCCEEDED');
  const { events } = eventsSchema.parse(
    await (await fetch(`${service.url}/v1/refunds/${run}R3/events`)).json(),
  );
  const settledBy = events.find((event) => event.type === 'RefundSucceeded')?.metadata.source;
  if (settledBy !== 'reconciler') throw new Error(`R3 was settled by ${settledBy}`);

  say('4/4 refunds audit is clean');
  const report = await auditIsClean(serviceEnv(shared));
  say(`the end-to-end flow passed (${JSON.stringify(report.statuses)})`);
} finally {
  await service.process.stop();
  await sandbox.process.stop();
  rmSync(work, { recursive: true, force: true });
}
