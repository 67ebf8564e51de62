/**
 * Two instances of the service on one EventStoreDB and one MongoDB, with `refunds sandbox` as the
 * WeChat Pay both talk to: 1,000 refunds requested through both, one instance killed (SIGKILL)
 * half way, and then every refund SUCCEEDED, each refunded once by WeChat, sent once (but for
 * those the killed instance had in flight), both reactors having shared the work, and
 * `refunds audit` clean.
 *
 *   npm run build && ESDB_CONNECTION_STRING=… MONGO_URL=… node --import tsx e2e/twoInstances.ts
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { metric, waitFor } from '../bench/support/processes.js';
import {
  auditIsClean,
  e2eMongoDb,
  enginesFromEnv,
  getRefund,
  requestRefund,
  sandboxLedger,
  say,
  serviceEnv,
  startSandbox,
  startService,
  waitForEngines,
  type Service,
} from './support/engines.js';

const refunds = 1000;
/**
 * A refund the killed instance had sent, but whose answer it had not recorded, is sent again by
 * the other one (WeChat answers a repeated out_refund_no with the same refund). At most as many
 * as its persistent subscription hands it at once (the reactor's buffer, 64).
 */
const mostSentTwice = 64;

const engines = enginesFromEnv();
say('waiting for EventStoreDB and MongoDB to answer reads');
await waitForEngines(engines);

const work = mkdtempSync(path.join(tmpdir(), 'refunds-e2e-two-'));
const run = `TWO${Date.now().toString(36).toUpperCase()}`;
const refundNo = (i: number): string => `${run}R${i}`;
const shared = { engines, mongoDb: e2eMongoDb, dataDir: path.join(work, 'data') };
const sandbox = await startSandbox(path.join(work, 'wechat'));
// The reconciler waits longer than any refund queues before its first send: a refund it found
// REQUESTED would be sent by it and by the gateway.
const env = {
  WECHAT_MAX_RPS: '0',
  GATEWAY_RETRY_BASE_MS: '200',
  RECONCILE_AFTER_SECONDS: '30',
  RECONCILE_INTERVAL_SECONDS: '2',
};
const [a, b] = await Promise.all(
  ['a', 'b'].map((name) =>
    startService({ ...shared, sandbox, dataDir: path.join(work, name), env }),
  ),
);
if (!a || !b) throw new Error('two instances were started');

const sentBy = (service: Service) =>
  metric(service.url, 'wechat_calls_total', 'operation="refund"');

/** Requests refunds first..last-1, at most 20 at a time, through the services in turn. */
const requestAll = async (first: number, last: number, through: Service[]): Promise<void> => {
  let next = first;
  await Promise.all(
    Array.from({ length: 20 }, async () => {
      for (let i = next++; i < last; i = next++) {
        await requestRefund(through[i % through.length]!, {
          outTradeNo: `${run}T${i}`,
          outRefundNo: refundNo(i),
          totalFee: 100 + i,
        });
      }
    }),
  );
};

try {
  say(`1/5 ${refunds / 2} refunds through both instances`);
  await requestAll(0, refunds / 2, [a, b]);
  await waitFor(async () => (await sentBy(a)) > 0, 60_000, 'instance A to send refunds');
  const sentByA = await sentBy(a);

  say(`2/5 instance A killed (SIGKILL) after sending ${sentByA}; the rest through B`);
  a.process.child.kill('SIGKILL');
  await requestAll(refunds / 2, refunds, [b]);

  say('3/5 every refund SUCCEEDED (A’s lost notifications through B’s reconciler)');
  const unsettled = new Set(Array.from({ length: refunds }, (_, i) => refundNo(i)));
  await waitFor(
    async () => {
      const left = [...unsettled];
      for (let start = 0; start < left.length; start += 50) {
        const batch = left.slice(start, start + 50);
        for (const refund of await Promise.all(batch.map((no) => getRefund(b, no)))) {
          if (refund.status === 'SUCCEEDED') unsettled.delete(refund.outRefundNo);
        }
      }
      return unsettled.size === 0;
    },
    300_000,
    'every refund to be SUCCEEDED',
  );

  say('4/5 the sandbox’s ledger: each refunded once, each sent once');
  const ours = (await sandboxLedger(sandbox)).filter((refund) =>
    refund.outRefundNo.startsWith(run),
  );
  const sentTwice = ours.filter((refund) => refund.calls === 2).length;
  const problems = [
    ours.length !== refunds && `${ours.length} refunds in WeChat's ledger, not ${refunds}`,
    ours.some((refund) => refund.status !== 'SUCCESS') && 'a refund WeChat did not settle',
    ours.some((refund) => refund.calls < 1 || refund.calls > 2) && 'a refund sent 0 or 3+ times',
    sentTwice > mostSentTwice && `${sentTwice} refunds sent twice: more than A had in flight`,
    !(sentByA > 0 && (await sentBy(b)) > 0) && 'the reactors did not share the work',
  ].filter((problem) => problem !== false);
  if (problems.length > 0) throw new Error(problems.join('; '));
  say(`  A sent ${sentByA} before it was killed, ${sentTwice} of them were sent again by B`);

  say('5/5 refunds audit is clean');
  await auditIsClean(serviceEnv(shared));
  say('the two-instance flow passed');
} finally {
  await Promise.all([a.process.stop(), b.process.stop(), sandbox.process.stop()]);
  rmSync(work, { recursive: true, force: true });
}
