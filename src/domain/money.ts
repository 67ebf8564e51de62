/**
 * An amount in fen (分), the smallest unit of CNY. Always a positive safe integer:
 * money never passes through floating point (1.1 * 100 is 110.00000000000001).
 */
export type Fen = number;

export const isFen = (value: unknown): value is Fen =>
  typeof value === 'number' && Number.isSafeInteger(value) && value > 0;
