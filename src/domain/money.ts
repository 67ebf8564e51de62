/**
 * An amount in fen (分), the smallest unit of CNY: an integer, never floating-point yuan
 * (1.1 * 100 is 110.00000000000001).
 */
export type Fen = number;

/** WeChat Pay's fee fields are 32-bit (DESIGN §3): no amount in fen is larger. */
export const maxFen = 2_147_483_647;

/** A refundable amount: 1 to maxFen fen. */
export const isFen = (value: unknown): value is Fen =>
  typeof value === 'number' && Number.isInteger(value) && value > 0 && value <= maxFen;

/**
 * a + b exactly. Integers add exactly in floating point up to 2^53; a sum past it throws instead
 * of coming out rounded (two refunds of 2^53 − 1 fen do not make 18,014,398,509,485,410).
 */
export const addFen = (a: Fen, b: Fen): Fen => {
  const sum = a + b;
  if (!Number.isSafeInteger(sum)) throw new RangeError(`${a} + ${b} fen is past exact arithmetic`);
  return sum;
};
