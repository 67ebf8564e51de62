import { z } from 'zod';
import { maxFen, refundAccounts } from '../../domain/index.js';
import { refundViewSchema } from '../../projections/refundViewProjection.js';
import { outRefundNoField, outTradeNoField } from '../wechat/wechatFieldSchemas.js';

/** A page size from a query string: an integer from 1 to max. */
export const pageLimit = (max: number, fallback: number) =>
  z
    .string()
    .regex(/^\d+$/, `must be an integer from 1 to ${max}`)
    .transform(Number)
    .pipe(z.number().int().min(1).max(max))
    .default(fallback);

/** DESIGN §3: the API takes the merchant numbers WeChat takes, and no others. */
export const outTradeNoSchema = outTradeNoField;
export const outRefundNoSchema = outRefundNoField;

/**
 * Integer fen, 1 to 2,147,483,647 (WeChat's fee fields are 32-bit, DESIGN §3). JSON strings,
 * fractions, zero, negatives and larger values are refused, never rounded.
 */
export const fenSchema = z
  .number({ error: 'must be a positive integer amount in fen' })
  .int('must be an integer amount in fen')
  .positive('must be positive')
  .max(maxFen, 'must be at most 2147483647 fen');

/**
 * Control characters (C0, DEL, C1) change the text WeChat signs once XML normalises them (a CR
 * LF becomes LF: SIGNERROR), and U+FFFE, U+FFFF and lone surrogates are not XML characters at
 * all (XML 1.0 §2.2). DESIGN §5: a 400.
 */
const notXmlText = /[\p{Cc}\p{Cs}\uFFFE\uFFFF]/u;

const reasonSchema = z
  .string()
  .min(1)
  .max(80, 'must be at most 80 characters')
  .refine((text) => !notXmlText.test(text), 'must not contain control or non-XML characters');

/** WECHAT.md refund_account: the funds a refund (or one attempt of it) is drawn from. */
export const refundAccountSchema = z.enum(refundAccounts, {
  error: `must be one of ${refundAccounts.join(', ')}`,
});

export const refundRequestSchema = z
  .strictObject({
    outTradeNo: outTradeNoSchema,
    outRefundNo: outRefundNoSchema.exactOptional(),
    totalFee: fenSchema,
    refundFee: fenSchema.exactOptional(),
    reason: reasonSchema.exactOptional(),
    transactionId: z
      .string()
      .regex(/^[0-9A-Za-z]{1,32}$/, 'must be WeChat’s transaction_id (up to 32 letters or digits)')
      .exactOptional(),
    refundAccount: refundAccountSchema.exactOptional(),
  })
  .refine((body) => body.refundFee === undefined || body.refundFee <= body.totalFee, {
    path: ['refundFee'],
    error: 'must not exceed totalFee',
  });

/** The refund resource of DESIGN §5: the view document as stored. */
export const refundResourceSchema = refundViewSchema.meta({ id: 'Refund' });
/** POST /v1/refunds's two answers: the refund resource, described for each (the OpenAPI document). */
export const repeatedRefundSchema = refundResourceSchema.describe(
  'An identical request was already made',
);
export const requestedRefundSchema = refundResourceSchema.describe(
  'Requested; it is sent to WeChat Pay next',
);
/** The response schemas of the refund resource, written by a compiled serializer. */
export const refundResourceSchemas = [
  refundResourceSchema,
  repeatedRefundSchema,
  requestedRefundSchema,
] as const;

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

/** POST …/retry: nothing, or the funds account this attempt draws from. */
export const retryRequestSchema = z
  .strictObject({ refundAccount: refundAccountSchema.exactOptional() })
  .nullish()
  .describe('Optional: the funds account this attempt draws from (default: the refund’s)');
/** ISO 8601: a date-time with an offset, or a date (UTC: from its first, to its last millisecond). */
export const instantSchema = (endOfDay: boolean) =>
  z
    .union([z.iso.datetime({ offset: true }), z.iso.date()], {
      error: 'must be an ISO 8601 date or date-time with an offset',
    })
    .transform((text) =>
      new Date(
        text.length === 10 ? `${text}T${endOfDay ? '23:59:59.999' : '00:00:00.000'}Z` : text,
      ).toISOString(),
    );

export const refundListQuerySchema = z.strictObject({
  status: z.enum(['REQUESTED', 'ACCEPTED', 'SUCCEEDED', 'FAILED']).exactOptional(),
  failureCode: z.string().min(1).max(64).exactOptional(),
  outTradeNo: outTradeNoSchema.exactOptional(),
  from: instantSchema(false).exactOptional().describe('requestedAt at or after (ISO 8601)'),
  to: instantSchema(true).exactOptional().describe('requestedAt at or before (ISO 8601)'),
  limit: pageLimit(100, 20),
  cursor: z.string().min(1).exactOptional().describe('nextCursor of the previous page'),
});

export const refundListSchema = z.object({
  data: z.array(refundResourceSchema),
  nextCursor: z.string().nullable(),
});
