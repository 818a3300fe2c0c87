/**
 * DateTimeOffset values as the Defender API writes them: UTC with seven fractional digits
 * (`2026-11-24T10:11:12.1234567Z`). Kept as strings in exactly that shape, so that comparing two of them
 * as strings compares them in time (fixed width, most significant field first) and no precision below
 * the millisecond is lost to a JavaScript Date.
 */

import { itemAt } from '../lists';

/** Formats an instant given as epoch milliseconds plus 0..9999 ticks of 100 ns below the millisecond. */
export function formatTicks(ms: number, subMs = 0): string {
  const iso = new Date(ms).toISOString(); // YYYY-MM-DDTHH:MM:SS.mmmZ
  return `${iso.slice(0, 23)}${String(subMs).padStart(4, '0')}Z`;
}

/** The instant one tick (100 ns) after `iso`, which must be in the 7-digit form. */
export function nextTick(iso: string): string {
  const ms = Date.parse(iso.slice(0, 23) + 'Z');
  const sub = Number(iso.slice(23, 27)) + 1;
  return sub > 9999 ? formatTicks(ms + 1, 0) : formatTicks(ms, sub);
}

const LITERAL =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * Parses an OData DateTimeOffset literal (`2026-06-03T18:04:29.4633333Z`, offsets like `+02:00` allowed)
 * into the 7-digit UTC form; undefined when it is not one (bad shape or an impossible date such as month 13).
 */
export function parseDateTimeOffset(literal: string): string | undefined {
  const m = LITERAL.exec(literal);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s = '00', frac = '', zone] = m;
  // Groups the pattern always fills when it matches.
  if (y === undefined || mo === undefined || d === undefined || h === undefined || mi === undefined || zone === undefined) return undefined;
  const [year, month, day, hour, minute, second] = [Number(y), Number(mo), Number(d), Number(h), Number(mi), Number(s)] as const;
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  let offsetMin = 0;
  if (zone !== 'Z') {
    const oh = Number(zone.slice(1, 3));
    const om = Number(zone.slice(4, 6));
    if (oh > 14 || om > 59) return undefined;
    offsetMin = (zone[0] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  const digits = frac.padEnd(7, '0');
  const date = new Date(0);
  // Not Date.UTC: it reads years 0..99 as 1900..1999, and here every 4-digit year means itself.
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute - offsetMin, second, Number(digits.slice(0, 3)));
  const ms = date.getTime();
  if (Number.isNaN(ms)) return undefined;
  const out = formatTicks(ms, Number(digits.slice(3)));
  return out.startsWith('-') || out.startsWith('+') ? undefined : out;
}

function daysIn(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return itemAt([31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], month - 1, 'month');
}
