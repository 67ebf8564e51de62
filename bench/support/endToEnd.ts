import { liveWechatEnvOf, type SandboxLine } from '../../src/sandbox/runSandboxCommand.js';
import type { BenchStores } from './benchStores.js';
import { load, type LoadResult } from './load.js';
import { freePort, metric, peakRssMb, run, waitFor } from './processes.js';
import { subscribe, type WebhookSink } from './webhookSink.js';

/** A refund request whose order and refund numbers are `${prefix}${n}`. */
export const refundBody = (prefix: string, n: number) =>
  JSON.stringify({ outTradeNo: `${prefix}${n}`, outRefundNo: `${prefix}${n}`, totalFee: 1000 });

export type EndToEnd = {
  posted: LoadResult;
  accepted: number;
  completed: number;
  perSecond: number;
  lagP99Ms: number;
  peakRss: number | undefined;
};

export type EndToEndOptions = {
  /** The refunds' prefix, and the name of the service's data dir under `work`. */
  name: string;
  dataDir: string;
  stores: BenchStores;
  wechat: SandboxLine;
  api: 'v2' | 'v3';
  seconds: number;
  /** A local receiver subscribed to every event type. */
  sink?: WebhookSink;
};

/**
 * Figure 5: refunds per second from POST to SUCCEEDED, the service in live mode against the
 * simulator in its own process (rate limit lifted), and the projection lag gauge sampled every
 * 100 ms; with a sink, until every event has been delivered to it too.
 */
export const endToEnd = async ({
  name,
  dataDir,
  stores,
  wechat,
  api,
  seconds,
  sink,
}: EndToEndOptions): Promise<EndToEnd> => {
  const port = await freePort();
  const live = run('node', ['bin/refunds.js', 'serve'], {
    ...stores.serviceEnv(dataDir, name),
    PORT: String(port),
    LOG_LEVEL: 'warn',
    ...liveWechatEnvOf(wechat, api),
    WECHAT_MAX_RPS: '0',
    // Live mode refuses loopback webhook URLs; the receiver here is local by design.
    WEBHOOK_ALLOW_PRIVATE_URLS: 'true',
  });
  const url = `http://127.0.0.1:${port}`;
  await waitFor(
    async () => (await fetch(`${url}/readyz`)).status === 200,
    60_000,
    'the e2e service',
  );
  if (sink) await subscribe(url, sink.url);
  const succeeded = () => metric(url, 'refund_events_appended_total', 'type="RefundSucceeded"');
  const lags: number[] = [];
  let sampling = true;
  const started = Date.now();
  let lastCompletion = started;
  let completed = 0;
  const sampler = (async () => {
    while (sampling) {
      // A scrape can fail while the service is saturated: that sample is skipped.
      const sample = await Promise.all([succeeded(), metric(url, 'projection_lag_seconds')]).catch(
        () => undefined,
      );
      if (sample) {
        const [done, lag] = sample;
        lags.push(lag);
        if (done > completed) {
          completed = done;
          lastCompletion = Date.now();
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  const posted = await load({
    url: `${url}/v1/refunds`,
    durationSeconds: seconds,
    body: (n) => refundBody(name, n),
  });
  const accepted = posted.requests - posted.errors - posted.non2xx;
  await waitFor(async () => completed >= accepted, 120_000, 'every refund to succeed').catch(
    () => undefined,
  );
  if (sink) {
    // requested, accepted and succeeded for every completed refund.
    await waitFor(
      async () => (await sink.stats()).distinctEvents >= 3 * completed,
      120_000,
      'every event to be delivered',
    ).catch(() => undefined);
  }
  sampling = false;
  await sampler;
  const peakRss = peakRssMb(live.child.pid);
  await live.stop();
  lags.sort((a, b) => a - b);
  return {
    posted,
    accepted,
    completed,
    // None completed (every POST failed or timed out under load): 0/s, not 0/0.
    perSecond: completed === 0 ? 0 : completed / ((lastCompletion - started) / 1000),
    lagP99Ms: (lags[Math.floor(lags.length * 0.99)] ?? 0) * 1000,
    peakRss,
  };
};
