import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ListeningService } from '../../src/service.js';
import { startService } from '../../src/startService.js';
import { startWechatSandbox, type WechatSandbox } from '../../src/sandbox/wechatSandbox.js';
import { closedPort } from '../support/closedPort.js';
import { eventually } from '../support/eventually.js';
import { makeTempDir, sharedSandboxCertDir, testConfig } from '../support/fixtures.js';
import { getJson } from '../support/testService.js';

/**
 * A merchant moves from API v2 to v3 while refunds are in flight: WeChat notifies each refund
 * with the API it was sent through, so the v2 notify route must still settle what v2 sent.
 */
const notificationDelayMs = 20_000;

describe('switching from API v2 to v3 with refunds in flight', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let sandbox: WechatSandbox;
  let service: ListeningService | undefined;
  beforeEach(async () => {
    temp = makeTempDir();
    // WeChat outlives the service: a simulator of its own, in live mode, settling after a while:
    // long after the v2 service has taken the refunds and stopped, even on a busy machine.
    sandbox = await startWechatSandbox({
      certDir: sharedSandboxCertDir(),
      notificationDelayMs,
      retryTimeScale: 0.01,
    });
  });
  afterEach(async () => {
    await service?.close();
    await sandbox.close();
    temp.remove();
  });

  it('given refunds accepted under v2, when the service restarts on v3 before WeChat notifies, then the v2 notifications settle them and new refunds go through v3', async () => {
    const port = await closedPort();
    const url = `http://127.0.0.1:${port}`;
    const v2 = {
      DATA_DIR: temp.dir,
      PORT: String(port),
      PUBLIC_BASE_URL: url,
      WECHAT_MODE: 'live',
      WECHAT_API_BASE_URL: sandbox.baseUrl,
      WECHAT_APPID: sandbox.appid,
      WECHAT_MCH_ID: sandbox.mchId,
      WECHAT_API_KEY: sandbox.apiKey,
      WECHAT_CERT_P12_PATH: sandbox.p12Path,
      WECHAT_CA_PATH: sandbox.caPath,
      GATEWAY_RETRY_BASE_MS: '20',
      // Only notifications may settle these refunds.
      RECONCILE_AFTER_SECONDS: '3600',
    };
    const start = (env: NodeJS.ProcessEnv) =>
      startService(testConfig(env), { logger: pino({ level: 'silent' }), healthIntervalMs: 200 });
    const post = (outRefundNo: string) =>
      fetch(`${url}/v1/refunds`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ outTradeNo: `T-${outRefundNo}`, outRefundNo, totalFee: 800 }),
      });
    const status = async (outRefundNo: string) =>
      (await getJson(`${url}/v1/refunds/${outRefundNo}`)).status;

    service = await start(v2);
    const inFlight = ['R-v2-1', 'R-v2-2', 'R-v2-3'];
    for (const outRefundNo of inFlight) expect((await post(outRefundNo)).status).toBe(202);
    await eventually(async () => {
      for (const outRefundNo of inFlight) expect(await status(outRefundNo)).toBe('ACCEPTED');
    });
    await service.close();
    service = undefined;
    // Accepted, not settled: WeChat will notify them through v2.
    expect(sandbox.refunds().map((r) => [r.api, r.status])).toEqual(
      inFlight.map(() => ['v2', 'PROCESSING']),
    );

    service = await start({
      ...v2,
      WECHAT_API_VERSION: 'v3',
      WECHAT_API_V3_KEY: sandbox.apiV3Key,
      WECHAT_MERCHANT_SERIAL_NO: sandbox.merchantSerialNo,
      WECHAT_PLATFORM_PUBLIC_KEY_PATH: sandbox.platformPublicKeyPath,
      WECHAT_PLATFORM_PUBLIC_KEY_ID: sandbox.platformPublicKeyId,
    });
    await eventually(
      async () => {
        for (const outRefundNo of inFlight) expect(await status(outRefundNo)).toBe('SUCCEEDED');
      },
      { timeoutMs: notificationDelayMs + 60_000 },
    );
    for (const outRefundNo of inFlight) {
      const { events } = await getJson(`${url}/v1/refunds/${outRefundNo}/events`);
      expect(events.at(-1)).toMatchObject({
        type: 'RefundSucceeded',
        metadata: { source: 'notification' },
      });
    }

    expect((await post('R-v3-1')).status).toBe(202);
    await eventually(async () => expect(await status('R-v3-1')).toBe('SUCCEEDED'), {
      timeoutMs: notificationDelayMs + 60_000,
    });
    expect(sandbox.refunds().find((r) => r.outRefundNo === 'R-v3-1')?.api).toBe('v3');
    // The simulator notes the acknowledgement once it has read the answer: after the refund is
    // SUCCEEDED here.
    await eventually(() =>
      expect(
        sandbox.deliveries().filter((d) => d.outRefundNo === 'R-v3-1' && d.acknowledged),
      ).toHaveLength(1),
    );
  }, 240_000);
});
