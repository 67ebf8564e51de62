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

/** The calendar date in China of an instant. */
export const chinaDateOf = (instant: Date): string =>
  new Date(instant.getTime() + chinaOffsetMs).toISOString().slice(0, 10);

const calendarDate = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Whether the text is a date YYYY-MM-DD that exists (no 2026-02-30). */
export const isCalendarDate = (text: string): boolean => {
  const match = calendarDate.exec(text);
  if (!match) return false;
  const utc = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(utc.getTime()) && utc.toISOString().slice(0, 10) === text;
};

/** The date `days` after (or before, when negative) a calendar date. */
export const addDays = (date: string, days: number): string =>
  new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

/** The instant a China wall-clock time of a date is, e.g. 2026-11-29 10:30 → 02:30Z. */
export const chinaInstant = (date: string, minutesIntoDay: number): Date =>
  new Date(Date.parse(`${date}T00:00:00Z`) - chinaOffsetMs + minutesIntoDay * 60_000);
