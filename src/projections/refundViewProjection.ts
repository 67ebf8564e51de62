import { z } from 'zod';
import { outRefundNoOfStream } from '../application/refundEventCodec.js';
import { refundTermsShape } from '../application/refundEventSchemas.js';
import { refundStatuses } from '../domain/index.js';
import type { Projection } from './projection.js';
import { evolveRefundView, type RefundView } from './refundView.js';

/** The refund resource's shape: validates view documents, and the HTTP answers that carry them. */
export const refundViewSchema = z.object({
  ...refundTermsShape,
  status: z.enum(refundStatuses),
  origin: z.enum(['api', 'wechat']),
  refundId: z.string().exactOptional(),
  settlementRefundFee: z.number().int().exactOptional(),
  refundRecvAccount: z.string().exactOptional(),
  successTime: z.string().exactOptional(),
  failure: z
    .object({ stage: z.enum(['request', 'settlement']), code: z.string(), message: z.string() })
    .exactOptional(),
  attempt: z.number().int(),
  requestedAt: z.string(),
  updatedAt: z.string(),
  version: z.number().int(),
}) satisfies z.ZodType<RefundView>;

/**
 * GET /v1/refunds: newest requestedAt first (ties by outRefundNo, the id), filtered by at most the
 * most selective of these fields through its index; the others are checked on its rows.
 */
const newestFirst = (equal: string[]) =>
  ({ equal, orderBy: 'requestedAt', direction: 'desc' }) as const;

/**
 * The refund resource of DESIGN §5, one document per outRefundNo. The list's indexes came after
 * version 1 and were added in place, without a version bump: they change no document, and a
 * rebuild of 100,000 refunds from the log would have been work for nothing.
 */
export const refundViewProjection: Projection<RefundView> = {
  name: 'refund_view',
  version: 1,
  indexes: ['outTradeNo', 'status'],
  orderedIndexes: [
    newestFirst(['outTradeNo']),
    newestFirst(['failure.code']),
    newestFirst(['status']),
    newestFirst([]),
  ],
  decode: (value) => refundViewSchema.parse(value),
  documentId: (event) => event.data.outRefundNo,
  evolve: evolveRefundView,
  corruptedDocumentId: outRefundNoOfStream,
};
