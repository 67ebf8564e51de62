import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { closedPort } from '../support/closedPort.js';
import { eventually } from '../support/eventually.js';
import { childStartMs, projectRoot, spawningTestMs } from '../support/spawnTs.js';
import { tempDirPerTest } from '../support/fixtures.js';
import { getJson } from '../support/testService.js';

describe('npm start', () => {
  const temp = tempDirPerTest();

  it.each([{}, { WECHAT_API_VERSION: 'v3' }])(
    'given no configuration but a port and a data dir (and %o), when started with npm start, then a refund goes all the way to SUCCEEDED through the sandbox',
    async (api) => {
      const port = await closedPort();
      // Its own process group, so that npm and the service it starts stop together.
      const child = spawn('npm', ['start'], {
        cwd: projectRoot,
        env: {
          ...process.env,
          PORT: String(port),
          DATA_DIR: temp.dir,
          LOG_LEVEL: 'warn',
          BILL_RECONCILE_TIME: '',
          ...api,
        },
        detached: true,
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      // What the build and the service say when they fail: the failure message of the test.
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const exited = new Promise((resolve) => child.once('exit', resolve));
      const url = `http://127.0.0.1:${port}`;
      try {
        // npm start builds first (prestart: tsc), then starts the service.
        await eventually(
          async () => expect((await fetch(`${url}/readyz`)).status, stderr).toBe(200),
          { timeoutMs: 3 * childStartMs, intervalMs: 200 },
        );
        const created = await fetch(`${url}/v1/refunds`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ outTradeNo: 'T-npm', totalFee: 3960, reason: '退货' }),
        });
        expect(created.status, stderr).toBe(202);

        const refund = await eventually(async () => {
          const body = await getJson(`${url}/v1/refunds/T-npm`);
          expect(body.status, stderr).toBe('SUCCEEDED');
          return body;
        });
        expect(refund).toMatchObject({
          refundFee: 3960,
          refundId: expect.stringMatching(/^\d{20,}$/),
        });
      } finally {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGTERM');
        await exited;
      }
    },
    spawningTestMs(3, 60_000),
  );
});
