import { z } from 'zod';
import { assertNever, refundTerms, requestFingerprint, type RefundEvent } from '../domain/index.js';
import type { Projection } from './projection.js';

/**
 * What has already been processed, so duplicates are answered without touching the write side:
 * requests by outRefundNo with the fingerprint of their content, notifications by
 * (refund_id, refund_status). Only ever added to; the event stream stays the authority.
 */
export type GuardEntry =
  | { kind: 'request'; outRefundNo: string; fingerprint: string }
  | { kind: 'notification'; outRefundNo: string; refundId: string; refundStatus: string };

export const requestKey = (outRefundNo: string): string => `request:${outRefundNo}`;

export const notificationKey = (refundId: string, refundStatus: string): string =>
  `notification:${refundId}:${refundStatus}`;

const documentId = (event: RefundEvent): string | undefined => {
  switch (event.type) {
    case 'RefundRequested':
      return requestKey(event.data.outRefundNo);
    case 'RefundSucceeded':
      return notificationKey(event.data.refundId, 'SUCCESS');
    case 'RefundFailed':
      return event.data.stage === 'settlement' && event.data.refundId !== undefined
        ? notificationKey(event.data.refundId, event.data.code)
        : undefined;
    case 'RefundAccepted':
      return undefined;
    default:
      return assertNever(event);
  }
};

export const evolveGuard = (entry: GuardEntry | null, event: RefundEvent): GuardEntry | null => {
  if (entry) return entry;
  switch (event.type) {
    case 'RefundRequested':
      return {
        kind: 'request',
        outRefundNo: event.data.outRefundNo,
        fingerprint: requestFingerprint(refundTerms(event.data)),
      };
    case 'RefundSucceeded':
      return {
        kind: 'notification',
        outRefundNo: event.data.outRefundNo,
        refundId: event.data.refundId,
        refundStatus: 'SUCCESS',
      };
    case 'RefundFailed':
      return event.data.refundId === undefined
        ? null
        : {
            kind: 'notification',
            outRefundNo: event.data.outRefundNo,
            refundId: event.data.refundId,
            refundStatus: event.data.code,
          };
    case 'RefundAccepted':
      return null;
    default:
      return assertNever(event);
  }
};

const guardEntrySchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('request'), outRefundNo: z.string(), fingerprint: z.string() }),
  z.object({
    kind: z.literal('notification'),
    outRefundNo: z.string(),
    refundId: z.string(),
    refundStatus: z.string(),
  }),
]) satisfies z.ZodType<GuardEntry>;

export const idempotencyGuardProjection: Projection<GuardEntry> = {
  name: 'idempotency_guard',
  // 2: fingerprints include refundAccount.
  version: 2,
  indexes: [],
  decode: (value) => guardEntrySchema.parse(value),
  documentId,
  evolve: evolveGuard,
};
