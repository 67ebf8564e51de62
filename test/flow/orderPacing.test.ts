import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { eventually } from '../support/eventually.js';
import { makeTempDir } from '../support/fixtures.js';
import { startTestService, type TestService } from '../support/testService.js';

// Far above what one send takes on a busy machine: the other order's refund is accepted before the
// spacing ends.
const spacingSeconds = 5;

/**
 * WECHAT.md "Limits": refunds of one order at least a minute apart. The gateway holds the later
 * ones back (ORDER_REFUND_SPACING_SECONDS, 5 s here) while refunds of other orders go on.
 */
describe("the gateway keeps WeChat's spacing of an order's refunds", () => {
  let s: TestService | undefined;
  let data: ReturnType<typeof makeTempDir>;
  beforeEach(() => {
    data = makeTempDir();
  });
  afterEach(async () => {
    await s?.stop();
    s = undefined;
    data.remove();
  });

  const start = async () => {
    s = await startTestService({
      DATA_DIR: data.dir,
      ORDER_REFUND_SPACING_SECONDS: String(spacingSeconds),
    });
    return s;
  };
  const request = async (service: TestService, outTradeNo: string, outRefundNo: string) => {
    const response = await service.call('POST', '/v1/refunds', {
      outTradeNo,
      outRefundNo,
      totalFee: 3000,
      refundFee: 1000,
    });
    expect(response.status).toBe(202);
  };
  /** When the gateway recorded WeChat's answer to the refund (just after the call). */
  const acceptedAt = async (service: TestService, outRefundNo: string): Promise<number> =>
    eventually(async () => {
      const stream = await service.events.readStream(`refund-${outRefundNo}`);
      const accepted = stream.find((event) => event.type === 'RefundAccepted');
      expect(accepted).toBeDefined();
      return Date.parse(z.string().parse(accepted!.data['acceptedAt']));
    });
  const waitingForSpacing = async (service: TestService) => {
    const text = await (await fetch(`${service.url}/metrics`)).text();
    return Number(/gateway_waiting_refunds\{rule="order_spacing"\} (\d+)/.exec(text)?.[1]);
  };

  it('given three refunds of one order and one of another requested at once, then the order’s are sent a spacing apart, the other at once, and the metrics show the ones waiting', async () => {
    const service = await start();
    await Promise.all(['R1', 'R2', 'R3'].map((no) => request(service, 'T1', no)));
    await request(service, 'T2', 'Q1');

    await eventually(async () => expect(await waitingForSpacing(service)).toBeGreaterThan(0));
    const times = await Promise.all(['R1', 'R2', 'R3'].map((no) => acceptedAt(service, no)));
    const other = await acceptedAt(service, 'Q1');

    const [first, second, third] = times.toSorted((a, b) => a - b);
    expect(second! - first!).toBeGreaterThanOrEqual(spacingSeconds * 1000);
    expect(third! - second!).toBeGreaterThanOrEqual(spacingSeconds * 1000);
    // The other order's refund was not held back behind them.
    expect(other).toBeLessThan(second!);
    await eventually(async () => expect(await waitingForSpacing(service)).toBe(0));
  });

  it('given a refund of an order sent just before a restart, then after the restart the next refund of that order still waits out the spacing', async () => {
    const before = await start();
    await request(before, 'T3', 'R4');
    await eventually(async () => {
      const refund = await (await before.call('GET', '/v1/refunds/R4')).json();
      expect(refund.status).toBe('SUCCEEDED');
    });
    const lastChange = Date.parse(
      String((await (await before.call('GET', '/v1/refunds/R4')).json()).updatedAt),
    );
    await before.stop();

    const after = await start();
    await request(after, 'T3', 'R5');

    expect((await acceptedAt(after, 'R5')) - lastChange).toBeGreaterThanOrEqual(
      spacingSeconds * 1000,
    );
  });
});
