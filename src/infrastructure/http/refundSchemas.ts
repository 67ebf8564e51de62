import { z } from 'zod';
import { refundViewSchema } from '../../projections/refundViewProjection.js';
import { outRefundNoField, outTradeNoField } from '../wechat/wechatFieldSchemas.js';

/** DESIGN §3: the API takes the merchant numbers WeChat takes, and no others. */
export const outTradeNoSchema = outTradeNoField;
export const outRefundNoSchema = outRefundNoField;

/** Integer fen. JSON strings, fractions, zero and negatives are refused, never rounded. */
export const fenSchema = z
  .number({ error: 'must be a positive integer amount in fen' })
  .int('must be an integer amount in fen')
  .positive('must be positive')
  .max(Number.MAX_SAFE_INTEGER);

export const refundRequestSchema = z
  .strictObject({
    outTradeNo: outTradeNoSchema,
    outRefundNo: outRefundNoSchema.exactOptional(),
    totalFee: fenSchema,
    refundFee: fenSchema.exactOptional(),
    reason: z.string().min(1).max(80, 'must be at most 80 characters').exactOptional(),
    transactionId: z
      .string()
      .regex(/^[0-9A-Za-z]{1,32}$/, 'must be WeChat’s transaction_id (up to 32 letters or digits)')
      .exactOptional(),
  })
  .refine((body) => body.refundFee === undefined || body.refundFee <= body.totalFee, {
    path: ['refundFee'],
    error: 'must not exceed totalFee',
  });

/** The refund resource of DESIGN §5: the view document as stored. */
export const refundResourceSchema = refundViewSchema.meta({ id: 'Refund' });

export const orderRefundsSchema = z.object({
  outTradeNo: z.string(),
  totalFee: z.number().int(),
  refundedFee: z.number().int().describe('Sum of SUCCEEDED refunds'),
  pendingFee: z.number().int().describe('Sum of REQUESTED and ACCEPTED refunds'),
  refunds: z.array(refundResourceSchema),
});

const jsonObject = z.record(z.string(), z.unknown());

export const refundEventsSchema = z.object({
  stream: z.string(),
  events: z.array(
    z.object({
      type: z.string(),
      revision: z.string().describe('64-bit, as a decimal string'),
      position: z.string().describe('64-bit, as a decimal string'),
      recordedAt: z.string(),
      data: jsonObject,
      metadata: jsonObject,
    }),
  ),
});

export const outRefundNoParams = z.object({ outRefundNo: outRefundNoSchema });
