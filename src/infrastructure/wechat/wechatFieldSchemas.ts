import { z } from 'zod';
import { maxFen } from '../../domain/index.js';

/**
 * zod schemas for the string fields of WeChat's XML. Every XML value arrives as a string (see
 * xmlCodec.ts); amounts become integers in fen here, and ids stay strings (DESIGN §3).
 */

/** WeChat's fee fields are 32-bit (DESIGN §3): a larger amount is no amount WeChat sends. */
const toFen = (text: string, context: z.RefinementCtx): number => {
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value > maxFen) {
    context.addIssue({ code: 'custom', message: 'amount out of range' });
    return z.NEVER;
  }
  return value;
};

/** A positive amount in fen, written as decimal digits (no sign, no leading zero, no point). */
export const fenField = z
  .string()
  .regex(/^[1-9]\d{0,15}$/, 'a positive integer amount in fen')
  .transform(toFen);

/**
 * An amount in fen that may be 0: settlement amounts exclude non-settled coupons, so a refund paid
 * entirely by coupon settles 0. Refusing it would make WeChat retry the notification for a day.
 */
export const settlementFenField = z
  .string()
  .regex(/^(0|[1-9]\d{0,15})$/, 'a non-negative integer amount in fen')
  .transform(toFen);

/** WeChat's own ids (transaction_id, refund_id): kept as the strings they are. */
export const idField = z.string().min(1).max(64);

/**
 * DESIGN §3: the characters WeChat allows in merchant order and refund numbers. The API takes
 * nothing else, and what WeChat sends is held to it too: a number outside it could never be
 * fetched through the API, and must not be recorded.
 */
const merchantNo = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .regex(/^[0-9A-Za-z_\-|*@]+$/, 'may only contain 0-9 A-Z a-z _ - | * @');

export const outTradeNoField = merchantNo(32);
export const outRefundNoField = merchantNo(64);

const chinaTimePattern = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;

/**
 * WeChat reports times as `2018-11-19 16:24:13` in China time (UTC+8, no daylight saving), so
 * the ISO form keeps the wall-clock value and states the offset: `2018-11-19T16:24:13+08:00`.
 * Returns undefined for text that is not such a time or names an impossible date.
 */
export const chinaTimeToIso = (text: string): string | undefined => {
  const match = chinaTimePattern.exec(text);
  if (!match) return undefined;
  const [, year, month, day, hour, minute, second] = match.map(Number);
  const utc = new Date(
    Date.UTC(year ?? 0, (month ?? 0) - 1, day ?? 0, hour ?? 0, minute ?? 0, second ?? 0),
  );
  const roundTrips =
    utc.getUTCFullYear() === year &&
    utc.getUTCMonth() + 1 === month &&
    utc.getUTCDate() === day &&
    utc.getUTCHours() === hour &&
    utc.getUTCMinutes() === minute &&
    utc.getUTCSeconds() === second;
  return roundTrips ? `${text.slice(0, 10)}T${text.slice(11)}+08:00` : undefined;
};

export const chinaTimeField = z.string().transform((text, context) => {
  const iso = chinaTimeToIso(text);
  if (iso === undefined) {
    context.addIssue({ code: 'custom', message: 'a time as yyyy-MM-dd HH:mm:ss' });
    return z.NEVER;
  }
  return iso;
});

/** XML fields written empty (`<coupon_type></coupon_type>`) count as absent. */
export const withoutEmptyFields = (
  fields: Readonly<Record<string, string>>,
): Record<string, string> =>
  Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== ''));

/** A zod error as one line naming the fields, never their values (they may be sensitive). */
export const describeIssues = (error: z.ZodError): string =>
  error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; ');
