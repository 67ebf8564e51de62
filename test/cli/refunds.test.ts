import { describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.js';
import { childStartMs, collect, spawningTestMs, spawnTs } from '../support/spawnTs.js';
import { tempDirPerTest } from '../support/fixtures.js';
import type { Json } from '../support/testService.js';

const token = 'cli-test-token-5f1d0c2b9a8e';

describe('refunds serve', () => {
  const temp = tempDirPerTest();

  it(
    'given the embedded default, when started, then it takes a refund, shows its events and stops cleanly on SIGTERM',
    async () => {
      const child = spawnTs('src/cli/refunds.ts', ['serve'], {
        PORT: '0',
        DATA_DIR: temp.dir,
        API_TOKENS: token,
      });
      const { output, completion } = collect(child);
      const url = await eventually(
        () => {
          const match = /"url":"(http:\/\/[^"]+)"/.exec(output().stdout);
          expect(match, output().stderr).not.toBeNull();
          return match![1]!;
        },
        { timeoutMs: childStartMs },
      );
      const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };

      const created = await fetch(`${url}/v1/refunds`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ outTradeNo: 'T1', totalFee: 3960 }),
      });
      expect(created.status).toBe(202);
      const events: Json = await (await fetch(`${url}/v1/refunds/T1/events`, { headers })).json();
      // The gateway may already have sent it to the sandbox: the stream starts with the request.
      expect(events.stream).toBe('refund-T1');
      expect(events.events[0]).toMatchObject({ type: 'RefundRequested', revision: '0' });

      child.kill('SIGTERM');
      const exited = await completion;
      expect(exited.code).toBe(0);
      expect(exited.stdout).not.toContain(token);
    },
    spawningTestMs(1, 60_000),
  );

  it('given bad configuration, then it refuses to start with one line for each problem and exit code 78', async () => {
    const { completion } = collect(
      spawnTs('src/cli/refunds.ts', ['serve'], {
        PORT: 'x',
        HOST: '0.0.0.0',
        API_TOKENS: '',
        DATA_DIR: temp.dir,
      }),
    );
    const exited = await completion;

    expect(exited.code).toBe(78);
    const lines = exited.stderr.trim().split('\n');
    expect(lines).toEqual([
      expect.stringContaining('PORT:'),
      expect.stringContaining('API_TOKENS: required when HOST is not a loopback address'),
    ]);
  });

  it('given a malformed NOTENOUGH_RETRY_SECONDS and ORDER_REFUND_SPACING_SECONDS, then it refuses to start with one clear line for each', async () => {
    const exited = await collect(
      spawnTs('src/cli/refunds.ts', ['serve'], {
        NOTENOUGH_RETRY_SECONDS: '600;3600',
        ORDER_REFUND_SPACING_SECONDS: 'one minute',
        DATA_DIR: temp.dir,
      }),
    ).completion;

    expect(exited.code).toBe(78);
    expect(exited.stderr.trim().split('\n')).toEqual([
      'Configuration error: NOTENOUGH_RETRY_SECONDS: must be comma-separated delays in seconds, e.g. 600,3600,21600 (got "600;3600")',
      'Configuration error: ORDER_REFUND_SPACING_SECONDS: must be a whole number (got "one minute")',
    ]);
  });

  it('given a non-loopback HOST without tokens, then it refuses to start', async () => {
    const { completion } = collect(
      spawnTs('src/cli/refunds.ts', ['serve'], { HOST: '0.0.0.0', DATA_DIR: temp.dir }),
    );
    const exited = await completion;

    expect(exited.code).toBe(78);
    expect(exited.stderr).toContain('API_TOKENS: required when HOST is not a loopback address');
  });

  it('given an unknown command, then usage and exit code 64', async () => {
    const exited = await collect(spawnTs('src/cli/refunds.ts', ['frobnicate'])).completion;

    expect(exited.code).toBe(64);
    expect(exited.stderr).toContain('Unknown command: frobnicate');
  });
});
