import { describe, expect, it } from 'vitest';
import {
  countingEvents,
  notingWrites,
  withMiddleware,
  type CommandMiddleware,
} from '../../src/application/commandMiddleware.js';
import { createRefundCommandHandler } from '../../src/application/handleRefundCommand.js';
import { acceptRefund, requestRefund } from '../domain/refund/refundFixtures.js';
import { sqliteStoresPerTest } from '../support/fixtures.js';

const api = { correlationId: 'corr-1', causationId: 'req-1', source: 'api' } as const;

describe('middleware of the command handler', () => {
  const stores = sqliteStoresPerTest();
  const handler = () => createRefundCommandHandler({ events: stores.events });

  it('given commands that append and one that does not, then the events are counted by type once stored, and only the appending commands note their version', async () => {
    const counted: string[] = [];
    const noted: [string, number][] = [];
    const handle = withMiddleware(
      handler(),
      countingEvents((event) => counted.push(event.type)),
      notingWrites({ note: (outRefundNo, version) => noted.push([outRefundNo, version]) }),
    );

    await handle(requestRefund(), api);
    await handle(requestRefund(), api);
    await handle(acceptRefund(), { ...api, source: 'gateway' });

    expect(counted).toEqual(['RefundRequested', 'RefundAccepted']);
    expect(noted).toEqual([
      ['R1', 1],
      ['R1', 2],
    ]);
    expect((await stores.events.readStream('refund-R1')).map((e) => e.type)).toEqual(counted);
  });

  it('given a command the handler refuses, then nothing is counted or noted', async () => {
    const seen: string[] = [];
    const handle = withMiddleware(
      handler(),
      countingEvents((event) => seen.push(event.type)),
      notingWrites({ note: (outRefundNo) => seen.push(outRefundNo) }),
    );

    await expect(handle(acceptRefund(), api)).rejects.toMatchObject({ code: 'REFUND_NOT_FOUND' });
    expect(seen).toEqual([]);
  });

  it('given several middleware, then the first listed is outermost', async () => {
    const order: string[] = [];
    const tracing =
      (name: string): CommandMiddleware =>
      (handle) =>
      async (command, context, precondition) => {
        order.push(`${name} in`);
        const handled = await handle(command, context, precondition);
        order.push(`${name} out`);
        return handled;
      };

    await withMiddleware(handler(), tracing('first'), tracing('second'))(requestRefund(), api);

    expect(order).toEqual(['first in', 'second in', 'second out', 'first out']);
  });
});
