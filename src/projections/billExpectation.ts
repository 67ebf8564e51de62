import { z } from 'zod';
import type { LoggedRefund } from '../application/bills/billLog.js';
import { chinaDate } from '../application/chinaDate.js';
import { outRefundNoOfStream } from '../application/refundEventCodec.js';
import { assertNever, refundStatuses, type RefundEvent } from '../domain/index.js';
import type { Projection } from './projection.js';

/**
 * What WeChat's refund bill should say of a refund (BILLS.md §3): its amount, status, refund_id,
 * and the China date of the bill it belongs in, the day WeChat took its current attempt.
 */
export type BillExpectation = LoggedRefund & {
  /** When the current attempt was requested. */
  requestedAt: string;
};

const billExpectationSchema = z.object({
  outRefundNo: z.string(),
  outTradeNo: z.string(),
  refundFee: z.number().int(),
  status: z.enum(refundStatuses),
  origin: z.enum(['api', 'wechat']),
  refundId: z.string().exactOptional(),
  billDate: z.string().exactOptional(),
  requestedAt: z.string(),
}) satisfies z.ZodType<BillExpectation>;

/** Dated once per attempt: by the first sign that WeChat has it. */
const dated = (expectation: BillExpectation, at: string): BillExpectation => {
  if (expectation.billDate !== undefined) return expectation;
  const billDate = chinaDate(at);
  return billDate === undefined ? expectation : { ...expectation, billDate };
};

export const evolveBillExpectation = (
  expectation: BillExpectation | null,
  event: RefundEvent,
): BillExpectation | null => {
  if (event.type === 'RefundRequested') {
    const { outRefundNo, outTradeNo, refundFee, origin, requestedAt } = event.data;
    const requested: BillExpectation = {
      outRefundNo,
      outTradeNo,
      refundFee,
      status: 'REQUESTED',
      origin,
      requestedAt,
    };
    // A refund made on the merchant platform: WeChat had it when it was requested there.
    return origin === 'wechat' ? dated(requested, requestedAt) : requested;
  }
  if (!expectation) return null;
  switch (event.type) {
    case 'RefundAccepted':
      return dated(
        { ...expectation, status: 'ACCEPTED', refundId: event.data.refundId },
        event.data.acceptedAt,
      );
    case 'RefundSucceeded':
      // Without an acceptance (the notification came first), WeChat took it when it was sent.
      return dated(
        { ...expectation, status: 'SUCCEEDED', refundId: event.data.refundId },
        expectation.requestedAt,
      );
    case 'RefundFailed': {
      const { stage, refundId } = event.data;
      const failed: BillExpectation = {
        ...expectation,
        status: 'FAILED',
        ...(refundId !== undefined && { refundId }),
      };
      if (stage === 'settlement') return dated(failed, expectation.requestedAt);
      // Refused at request: WeChat never took this attempt, no bill has a row for it.
      const { billDate: _none, ...refused } = failed;
      return refused;
    }
    default:
      return assertNever(event);
  }
};

/**
 * The log's side of the bill reconciliation, one document per refund: looked up by refund number
 * a batch of bill rows at a time, and listed by bill date for the refunds the bill must hold.
 */
export const billExpectationProjection: Projection<BillExpectation> = {
  name: 'bill_expectation',
  version: 1,
  indexes: ['outRefundNo'],
  orderedIndexes: [{ equal: ['billDate'], orderBy: 'outRefundNo', direction: 'asc' }],
  decode: (value) => billExpectationSchema.parse(value),
  documentId: (event) => event.data.outRefundNo,
  evolve: evolveBillExpectation,
  corruptedDocumentId: outRefundNoOfStream,
};
