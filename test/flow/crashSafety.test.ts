import { readFileSync } from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { liveWechatEnvOf, sandboxLineSchema } from '../../src/sandbox/runSandboxCommand.js';
import { closedPort } from '../support/closedPort.js';
import { eventually } from '../support/eventually.js';
import {
  childStartMs,
  collect,
  killHard,
  spawningTestMs,
  type spawnTs,
} from '../support/spawnTs.js';
import { spawnedPerTest, tempDirPerTest } from '../support/fixtures.js';
import { getJson } from '../support/testService.js';

type Spawned = ReturnType<typeof spawnTs>;

/** What the simulated WeChat Pay refunded (`GET /sandbox/refunds`, over its own CA). */
const refundsAtWechat = (baseUrl: string, caPath: string) =>
  new Promise<unknown>((resolve, reject) => {
    https
      .get(`${baseUrl}/sandbox/refunds`, { ca: readFileSync(caPath) }, (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (body += chunk));
        response.on('end', () => resolve(JSON.parse(body)));
      })
      .on('error', reject);
  });

/**
 * WeChat Pay outlives our process, so the simulator runs in a process of its own (`refunds
 * sandbox`) and the service talks to it in live mode, as it would to the real API.
 */
describe('crash safety', () => {
  const temp = tempDirPerTest();
  const processes = spawnedPerTest();

  const firstLine = (child: Spawned) =>
    eventually(
      () => {
        const { stdout, stderr } = output.get(child)!();
        const line = stdout.split('\n')[0];
        expect(stdout.includes('\n'), stderr).toBe(true);
        return line!;
      },
      { timeoutMs: childStartMs },
    );
  const output = new Map<Spawned, () => { stdout: string; stderr: string }>();
  const spawn = (args: string[], env: NodeJS.ProcessEnv) => {
    const child = processes.spawn('src/cli/refunds.ts', args, env);
    output.set(child, collect(child).output);
    return child;
  };

  it.each(['v2', 'v3'] as const)(
    'given API %s and the service killed with SIGKILL right after acknowledging refunds, when restarted, then WeChat refunds every one once and every one completes',
    async (api) => {
      const wechat = spawn(['sandbox', '--certs', path.join(temp.dir, 'wechat')], {
        LOG_LEVEL: 'silent',
      });
      const sandbox = sandboxLineSchema.parse(JSON.parse(await firstLine(wechat)));
      const port = await closedPort();
      const env = {
        DATA_DIR: path.join(temp.dir, 'data'),
        PORT: String(port),
        LOG_LEVEL: 'warn',
        ...liveWechatEnvOf(sandbox, api),
        PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
        GATEWAY_RETRY_BASE_MS: '50',
        RECONCILE_AFTER_SECONDS: '1',
        RECONCILE_INTERVAL_SECONDS: '1',
        ORDER_REFUND_SPACING_SECONDS: '0',
      };
      const url = `http://127.0.0.1:${port}`;
      const up = () =>
        eventually(async () => expect((await fetch(`${url}/healthz`)).status).toBe(200), {
          timeoutMs: childStartMs,
        });

      const first = spawn(['serve'], env);
      await up();
      const acknowledged = await Promise.all(
        Array.from({ length: 40 }, async (_, i) => {
          const response = await fetch(`${url}/v1/refunds`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ outTradeNo: `T${i}`, outRefundNo: `R${i}`, totalFee: 1000 + i }),
          });
          expect(response.status).toBe(202);
          return `R${i}`;
        }),
      );
      await killHard(first);

      spawn(['serve'], env);
      await up();
      await eventually(
        async () => {
          for (const outRefundNo of acknowledged) {
            const refund = await getJson(`${url}/v1/refunds/${outRefundNo}`);
            expect(refund.status, outRefundNo).toBe('SUCCEEDED');
          }
        },
        { timeoutMs: 120_000, intervalMs: 200 },
      );
      // WeChat took each refund once, for the amount asked, and the service recorded that refund.
      const atWechat = z
        .array(
          z.object({
            outRefundNo: z.string(),
            refundFee: z.number(),
            refundId: z.string(),
            status: z.string(),
          }),
        )
        .parse(await refundsAtWechat(sandbox.baseUrl, sandbox.caPath));
      expect(atWechat.map((r) => r.outRefundNo).sort()).toEqual([...acknowledged].sort());
      for (const [i, outRefundNo] of acknowledged.entries()) {
        const recorded = await getJson(`${url}/v1/refunds/${outRefundNo}`);
        expect(atWechat.find((r) => r.outRefundNo === outRefundNo)).toEqual({
          outRefundNo,
          refundFee: 1000 + i,
          refundId: recorded.refundId,
          status: 'SUCCESS',
        });
      }
      for (const outRefundNo of acknowledged) {
        const { events } = await getJson(`${url}/v1/refunds/${outRefundNo}/events`);
        const types: string[] = events.map((e: { type: string }) => e.type);
        expect(
          types.filter((t) => t === 'RefundRequested'),
          outRefundNo,
        ).toHaveLength(1);
        expect(
          types.filter((t) => t === 'RefundSucceeded'),
          outRefundNo,
        ).toHaveLength(1);
        expect(types, outRefundNo).not.toContain('RefundFailed');
      }
    },
    // The sandbox, the service, the service again, and 40 refunds settled.
    spawningTestMs(3, 150_000),
  );
});
