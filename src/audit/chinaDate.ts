/** China Standard Time is UTC+8 all year (no daylight saving since 1991). */
const chinaOffsetMs = 8 * 60 * 60 * 1000;

/** A time already written in China time, as WeChat Pay writes success_time. */
const inChinaTime = /^\d{4}-\d{2}-\d{2}T[^Z]*\+08:00$/;

/**
 * The calendar date in China (YYYY-MM-DD) of an ISO 8601 time, whatever offset it is written
 * with; undefined when it is no time. Finance in China closes its books by Beijing time, and
 * WeChat Pay's bills and success_time are in it.
 */
export const chinaDate = (iso: string): string | undefined => {
  if (inChinaTime.test(iso) && !Number.isNaN(Date.parse(iso))) return iso.slice(0, 10);
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? undefined : new Date(ms + chinaOffsetMs).toISOString().slice(0, 10);
};
