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

/** The refund resource of DESIGN §5, one document per outRefundNo. */
export const refundViewProjection: Projection<RefundView> = {
  name: 'refund_view',
  version: 1,
  indexes: ['outTradeNo', 'status'],
  decode: (value) => refundViewSchema.parse(value),
  documentId: (event) => event.data.outRefundNo,
  evolve: evolveRefundView,
  corruptedDocumentId: outRefundNoOfStream,
};
