import { z } from 'zod';
import {
  maxFen,
  refundAccounts,
  refundTermFields,
  refundTermKinds,
  type RefundEvent,
  type RefundTermField,
} from '../domain/index.js';
import { eventSources } from './eventMetadata.js';

const fen = z.number().int().positive().max(maxFen);
/** Settlement amounts exclude coupons: a refund paid entirely by coupon settles 0 (DESIGN §3). */
const settlementFen = z.number().int().nonnegative().max(maxFen);
const text = z.string();

const termKindSchemas = {
  text,
  'text?': text.exactOptional(),
  fen,
  'account?': z.enum(refundAccounts).exactOptional(),
};

type TermsShape = {
  [F in RefundTermField]: (typeof termKindSchemas)[(typeof refundTermKinds)[F]];
};

/** A schema for each term of the refund, from the domain's one list of them. */
export const refundTermsShape = Object.fromEntries(
  refundTermFields.map((field) => [field, termKindSchemas[refundTermKinds[field]]]),
  // fromEntries types its answer as a record of any schema; the map above is TermsShape's.
) as TermsShape;

const requested = z.object({
  ...refundTermsShape,
  requestedAt: text,
  attempt: z.number().int().positive(),
  origin: z.enum(['api', 'wechat']),
});

const accepted = z.object({
  outRefundNo: text,
  outTradeNo: text,
  refundId: text,
  transactionId: text.exactOptional(),
  refundFee: fen,
  settlementRefundFee: settlementFen.exactOptional(),
  cashRefundFee: settlementFen.exactOptional(),
  acceptedAt: text,
});

const succeeded = z.object({
  outRefundNo: text,
  outTradeNo: text,
  refundId: text,
  refundFee: fen,
  settlementRefundFee: settlementFen,
  refundRecvAccount: text,
  refundAccount: text,
  refundRequestSource: text,
  successTime: text,
  recordedAt: text,
});

const failed = z.object({
  outRefundNo: text,
  outTradeNo: text,
  stage: z.enum(['request', 'settlement']),
  code: text,
  message: text,
  failedAt: text,
  refundId: text.exactOptional(),
});

/**
 * A refund event, both ways: every event is checked with it before it is appended, and every
 * event read back from a store (an edge too) is decoded with it. So what the log holds, the
 * service can always read.
 */
export const refundEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('RefundRequested'), data: requested }),
  z.object({ type: z.literal('RefundAccepted'), data: accepted }),
  z.object({ type: z.literal('RefundSucceeded'), data: succeeded }),
  z.object({ type: z.literal('RefundFailed'), data: failed }),
]) satisfies z.ZodType<RefundEvent>;

export const eventMetadataSchema = z.object({
  correlationId: z.string().min(1),
  causationId: z.string().min(1),
  source: z.enum(eventSources),
  schemaVersion: z.number().int().positive(),
});
