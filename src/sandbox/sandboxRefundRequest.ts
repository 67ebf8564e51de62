import { z } from 'zod';
import {
  describeIssues,
  fenField,
  withoutEmptyFields,
} from '../infrastructure/wechat/wechatFieldSchemas.js';

const idPattern = /^[0-9A-Za-z_\-|*@]+$/;

/** The fields v2's refund request and v3's share, with the same rules (WECHAT-V3.md §1). */
export const sharedRefundFields = {
  transaction_id: z
    .string()
    .regex(/^\d{1,32}$/)
    .optional(),
  out_trade_no: z.string().max(32).regex(idPattern).optional(),
  out_refund_no: z.string().max(64).regex(idPattern),
  notify_url: z
    .url({ protocol: /^https?$/ })
    .max(256)
    .refine((url) => !url.includes('?'), 'no query string')
    .optional(),
};

/** v2's refund_desc, v3's reason. */
export const refundDescriptionField = z
  .string()
  .refine((text) => [...text].length <= 80, 'at most 80 characters')
  .optional();

// The secapi/pay/refund request fields (WECHAT.md "Refund request").
const schema = z
  .object({
    appid: z.string(),
    ...sharedRefundFields,
    total_fee: fenField,
    refund_fee: fenField,
    refund_fee_type: z.literal('CNY').optional(),
    refund_desc: refundDescriptionField,
    refund_account: z
      .enum(['REFUND_SOURCE_UNSETTLED_FUNDS', 'REFUND_SOURCE_RECHARGE_FUNDS'])
      .optional(),
  })
  .refine((fields) => fields.transaction_id !== undefined || fields.out_trade_no !== undefined, {
    message: 'transaction_id or out_trade_no is required',
  })
  .refine((fields) => fields.refund_fee <= fields.total_fee, {
    message: 'refund_fee must not exceed total_fee',
  });

export type SandboxRefundRequest = z.infer<typeof schema>;

export const parseSandboxRefundRequest = (
  fields: Record<string, string>,
): { ok: true; request: SandboxRefundRequest } | { ok: false; problem: string } => {
  const parsed = schema.safeParse(withoutEmptyFields(fields));
  return parsed.success
    ? { ok: true, request: parsed.data }
    : { ok: false, problem: describeIssues(parsed.error) };
};
