import { z } from 'zod';
import type { RefundEvent } from '../domain/index.js';
import { eventSources } from './eventMetadata.js';

const fen = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
const text = z.string();

const requested = z.object({
  outRefundNo: text,
  outTradeNo: text,
  transactionId: text.exactOptional(),
  totalFee: fen,
  refundFee: fen,
  reason: text.exactOptional(),
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
  settlementRefundFee: fen.exactOptional(),
  cashRefundFee: fen.exactOptional(),
  acceptedAt: text,
});

const succeeded = z.object({
  outRefundNo: text,
  outTradeNo: text,
  refundId: text,
  refundFee: fen,
  settlementRefundFee: fen,
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

/** Events as they come back from a store: validated, because a store is an edge too. */
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
