/**
 * Runs `refunds sandbox` as the CLI would, makes a refund whose notification can never be
 * delivered (so WeChat's retries get scheduled), closes the sandbox and lets Node exit on its own.
 * Exiting proves that no timer or socket of the sandbox keeps a process alive after close().
 */
import pino from 'pino';
import { loadMerchantCertificate } from '../../../src/infrastructure/wechat/merchantCertificate.js';
import { runSandboxCommand } from '../../../src/sandbox/runSandboxCommand.js';
import { createWechatPayClient } from '../../../src/infrastructure/wechat/wechatPayClient.js';
import { closedPort } from '../../support/closedPort.js';
import { eventually } from '../../support/eventually.js';

const certDir = process.argv[2];
if (certDir === undefined) throw new Error('usage: runSandboxThenClose.ts CERT_DIR');
const logger = pino({ level: 'silent' });
const sandbox = await runSandboxCommand({ certDir, stdout: process.stdout, logger });
const client = createWechatPayClient({
  baseUrl: sandbox.baseUrl,
  appid: sandbox.appid,
  mchId: sandbox.mchId,
  apiKey: sandbox.apiKey,
  signType: 'MD5',
  // Nothing listens there: every delivery fails and is retried later.
  notifyUrl: `http://127.0.0.1:${await closedPort()}/notify`,
  certificate: loadMerchantCertificate({ p12Path: sandbox.p12Path }, sandbox.mchId),
  caPath: sandbox.caPath,
  maxRequestsPerSecond: 100,
  logger,
});
const outcome = await client.refund({
  outRefundNo: 'R1',
  outTradeNo: 'T1',
  totalFee: 100,
  refundFee: 100,
});
process.stderr.write(`${outcome.kind}\n`);
// Wait until the first delivery has failed, so a retry is pending when the sandbox closes. Past
// the deadline the script throws, and the test sees a non-zero exit instead of a hang.
await eventually(
  () => {
    if (!sandbox.deliveries().some((delivery) => !delivery.acknowledged)) {
      throw new Error('no delivery has failed yet');
    }
  },
  { timeoutMs: 60_000 },
);
client.close();
await sandbox.close();
