import { z } from 'zod';

/** A whole number in a variable, within bounds. */
export const integer = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  z
    .string()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`));

export const httpUrl = z
  .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
  .transform((url) => url.replace(/\/+$/, ''));

/** Comma-separated delays in seconds, e.g. `600,3600,21600` (fractions allowed): in ms. */
export const delaySchedule = (example: string) =>
  z
    .string()
    .regex(
      /^\s*\d+(\.\d+)?\s*(,\s*\d+(\.\d+)?\s*)*$/,
      `must be comma-separated delays in seconds, e.g. ${example}`,
    )
    .transform((text) => text.split(',').map((delay) => Math.round(Number(delay) * 1000)));
