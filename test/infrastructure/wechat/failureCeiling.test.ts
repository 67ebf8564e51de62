import { describe, expect, it } from 'vitest';
import type {
  GatewayRefundRequest,
  RefundGateway,
  RefundOutcome,
} from '../../../src/application/ports/refundGateway.js';
import { withFailureCeiling } from '../../../src/infrastructure/wechat/failureCeiling.js';

const accepted: RefundOutcome = {
  kind: 'accepted',
  refundId: '50000000000000000000000000001',
  refundFee: 100,
};
const notEnough: RefundOutcome = { kind: 'rejected', code: 'NOTENOUGH', message: '余额不足' };

const request = (n: number): GatewayRefundRequest => ({
  outRefundNo: `R${n}`,
  outTradeNo: `T${n}`,
  totalFee: 100,
  refundFee: 100,
});

/**
 * The ceiling over a WeChat that answers what `answer` says, on a clock the sleeps move (each
 * call takes no time): when each call reached WeChat, in ms from the start.
 */
const ceilingOver = (answer: (n: number) => RefundOutcome) => {
  let now = 0;
  const calledAt: number[] = [];
  const wechat: RefundGateway = {
    refund: (input) => {
      calledAt.push(now);
      return Promise.resolve(answer(Number(input.outRefundNo.slice(1))));
    },
    queryRefund: () => {
      calledAt.push(now);
      return Promise.resolve({ kind: 'not_found' });
    },
  };
  const gateway = withFailureCeiling(wechat, {
    now: () => now,
    sleep: (ms) => {
      now += ms;
      return Promise.resolve();
    },
  });
  return { gateway, calledAt };
};

describe('the ceiling on failing calls to WeChat (6 a second)', () => {
  it('given WeChat answering every call with an error, when 20 calls are made one after another, then the first 6 go at once and the rest at 6 a second', async () => {
    const { gateway, calledAt } = ceilingOver(() => notEnough);
    for (let n = 0; n < 20; n++) expect(await gateway.refund(request(n))).toEqual(notEnough);

    expect(calledAt.slice(0, 6)).toEqual([0, 0, 0, 0, 0, 0]);
    for (let i = 6; i < calledAt.length; i++) {
      // Never more than 6 failing calls within any second.
      expect(calledAt[i]! - calledAt[i - 6]!).toBeGreaterThanOrEqual(1000);
    }
    expect(calledAt.at(-1)).toBeLessThanOrEqual(3000);
  });

  it('given WeChat answering every call with success, then nothing ever waits', async () => {
    const { gateway, calledAt } = ceilingOver(() => accepted);
    for (let n = 0; n < 50; n++) await gateway.refund(request(n));
    expect(new Set(calledAt)).toEqual(new Set([0]));
  });

  it('given failing queries, then they count too (refundquery is a call like any other)', async () => {
    const { gateway, calledAt } = ceilingOver(() => accepted);
    for (let n = 0; n < 7; n++) await gateway.queryRefund(`R${n}`);
    expect(calledAt).toEqual([0, 0, 0, 0, 0, 0, 1000]);
  });

  it('given six failures, when a second has passed, then calls go free again', async () => {
    const { gateway, calledAt } = ceilingOver((n) => (n < 6 ? notEnough : accepted));
    for (let n = 0; n < 6; n++) await gateway.refund(request(n));
    await gateway.refund(request(6));
    for (let n = 7; n < 12; n++) await gateway.refund(request(n));
    expect(calledAt.slice(6)).toEqual([1000, 1000, 1000, 1000, 1000, 1000]);
  });

  it('given calls held back, then waiting counts them while they wait', async () => {
    let release: () => void = () => undefined;
    let now = 0;
    const gateway = withFailureCeiling(
      {
        refund: () => Promise.resolve(notEnough),
        queryRefund: () => Promise.resolve({ kind: 'not_found' }),
      },
      {
        now: () => now,
        sleep: (ms) =>
          new Promise((resolve) => {
            release = () => {
              now += ms;
              resolve();
            };
          }),
      },
    );
    for (let n = 0; n < 6; n++) await gateway.refund(request(n));
    const held = gateway.refund(request(6));
    expect(gateway.waiting()).toBe(1);
    release();
    await held;
    expect(gateway.waiting()).toBe(0);
  });
});
