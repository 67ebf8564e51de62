import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import type { EventStore } from '../../src/application/ports/eventStore.js';
import { encodeRefundEvent, refundStreamName } from '../../src/application/refundEventCodec.js';
import {
  decide,
  evolve,
  initialRefund,
  type RefundCommand,
  type RefundEvent,
} from '../../src/domain/index.js';

const at = (minute: number) => new Date(Date.UTC(2026, 10, 1, 8, minute)).toISOString();

type Step = (outRefundNo: string, refundFee: number, n: number) => RefundCommand;

const accept: Step = (outRefundNo, refundFee, n) => ({
  type: 'AcceptRefund',
  data: {
    outRefundNo,
    refundId: `5000${String(n).padStart(25, '0')}`,
    refundFee,
    acceptedAt: at(1),
  },
});
const succeed: Step = (outRefundNo, refundFee, n) => ({
  type: 'MarkRefundSucceeded',
  data: {
    outRefundNo,
    refundId: `5000${String(n).padStart(25, '0')}`,
    refundFee,
    settlementRefundFee: refundFee,
    refundRecvAccount: '支付用户零钱',
    refundAccount: 'REFUND_SOURCE_UNSETTLED_FUNDS',
    refundRequestSource: 'API',
    successTime: '2026-11-01T16:24:13+08:00',
    recordedAt: at(2),
  },
});
const fail =
  (stage: 'request' | 'settlement', code: string): Step =>
  (outRefundNo) => ({
    type: 'FailRefund',
    data: { outRefundNo, stage, code, message: code, failedAt: at(3) },
  });
const retry: Step = (outRefundNo) => ({
  type: 'RetryRefund',
  data: { outRefundNo, requestedAt: at(4) },
});

/** Journeys a refund can take, each a legal path through the state machine. */
const journeys: Step[][] = [
  [],
  [accept],
  [accept, succeed],
  [succeed],
  [fail('request', 'NOTENOUGH')],
  [fail('request', 'NOTENOUGH'), retry, accept, succeed],
  [accept, fail('settlement', 'REFUNDCLOSE')],
  [accept, fail('settlement', 'CHANGE'), succeed],
];

export type GeneratedLog = { refunds: number; events: number; streams: Map<string, RefundEvent[]> };

/**
 * Writes `count` refunds with random (seeded) legal histories, one to three per order, appended in
 * rounds so that the streams' events interleave in the log as they would in production.
 */
export const writeRandomRefunds = async (
  events: EventStore,
  count: number,
  { seed = 42, prefix = '' }: { seed?: number; prefix?: string } = {},
): Promise<GeneratedLog> => {
  const plans = fc.sample(
    fc.record({
      journey: fc.integer({ min: 0, max: journeys.length - 1 }),
      refundsInOrder: fc.integer({ min: 1, max: 3 }),
      totalFee: fc.integer({ min: 3, max: 1_000_000 }),
    }),
    { numRuns: count, seed },
  );
  const streams = new Map<string, RefundEvent[]>();
  const histories: { outRefundNo: string; commands: RefundCommand[] }[] = [];
  let n = 0;
  for (const plan of plans) {
    if (n >= count) break;
    const outTradeNo = `${prefix}T${n}`;
    const share = Math.floor(plan.totalFee / plan.refundsInOrder);
    for (let i = 0; i < plan.refundsInOrder && n < count; i++, n++) {
      const outRefundNo = `${prefix}R${n}`;
      const steps = journeys[(plan.journey + i) % journeys.length] ?? [];
      histories.push({
        outRefundNo,
        commands: [
          {
            type: 'RequestRefund',
            data: {
              outRefundNo,
              outTradeNo,
              totalFee: plan.totalFee,
              refundFee: share,
              requestedAt: at(0),
            },
          },
          ...steps.map((step) => step(outRefundNo, share, n)),
        ],
      });
    }
  }

  let total = 0;
  const rounds = Math.max(...histories.map((h) => h.commands.length));
  for (let round = 0; round < rounds; round++) {
    await Promise.all(
      histories.map(async ({ outRefundNo, commands }) => {
        const command = commands[round];
        if (!command) return;
        const history = streams.get(outRefundNo) ?? [];
        const decided = decide(command, history.reduce(evolve, initialRefund));
        const context = {
          correlationId: randomUUID(),
          causationId: randomUUID(),
          source: 'cli',
        } as const;
        const result = await events.append(
          refundStreamName(outRefundNo),
          decided.map((event, index) =>
            encodeRefundEvent(event, context, { commandId: context.causationId, index }),
          ),
          history.length === 0 ? 'no_stream' : BigInt(history.length - 1),
        );
        if (!result.ok) throw new Error(`conflict writing ${outRefundNo}`);
        streams.set(outRefundNo, [...history, ...decided]);
        total += decided.length;
      }),
    );
  }
  return { refunds: histories.length, events: total, streams };
};
