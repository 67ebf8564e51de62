import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { EventStore } from '../../src/application/ports/eventStore.js';
import { sandboxNotificationBody } from '../../src/sandbox/sandboxNotifier.js';

/** A RefundRequested event of a refund of 10 CNY on its own order of 10 CNY. */
export const requestedEvent = (outRefundNo: string, source = 'cli') => ({
  id: randomUUID(),
  type: 'RefundRequested',
  data: {
    outRefundNo,
    outTradeNo: outRefundNo,
    totalFee: 1000,
    refundFee: 1000,
    requestedAt: new Date().toISOString(),
    attempt: 1,
    origin: 'api',
  },
  metadata: { correlationId: 'bench', causationId: 'bench', source, schemaVersion: 1 },
});

/** Refunds already requested (the log of a service that has been running), for reads and notifications. */
export const prepopulate = async (store: EventStore, count: number) => {
  for (let from = 0; from < count; from += 5000) {
    await Promise.all(
      Array.from({ length: Math.min(5000, count - from) }, (_, i) =>
        store.append(`refund-P${from + i}`, [requestedEvent(`P${from + i}`)], 'no_stream'),
      ),
    );
  }
  await store.close();
};

const sandboxIdentity = z.object({ appid: z.string(), mchId: z.string(), apiKey: z.string() });

/**
 * Encrypted SUCCESS notifications for the `count` prepared refunds, as the service's sandbox (its
 * identity under `dataDir`) signs them.
 */
export const notificationsFor = (dataDir: string, count: number): string[] => {
  const merchant = sandboxIdentity.parse(
    JSON.parse(readFileSync(path.join(dataDir, 'sandbox', 'sandbox.json'), 'utf8')),
  );
  return Array.from({ length: count }, (_, i) => {
    // From the newest refunds backwards: the gateway (at WECHAT_MAX_RPS) sends the oldest first.
    const n = count - 1 - i;
    return sandboxNotificationBody(
      {
        outRefundNo: `P${n}`,
        outTradeNo: `P${n}`,
        transactionId: `42000000012026112800${String(n).padStart(8, '0')}`,
        totalFee: 1000,
        refundFee: 1000,
        refundId: `50000000012026112800${String(n).padStart(10, '0')}`,
        status: 'SUCCESS',
        scenario: 'SUCCESS',
        source: 'API',
        api: 'v2',
        createdAt: '2026-11-28T08:24:10.000Z',
        successTime: '2026-11-28 16:24:13',
      },
      merchant,
    );
  });
};
