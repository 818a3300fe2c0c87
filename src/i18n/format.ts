import type { Locale } from './i18n';

type When = string | number | Date;

export interface Formatter {
  /** Date and time to the minute (or second), with the zone's short name: "2026-11-30 10:42 UTC", "30/11/2026 11:42 UTC+1". */
  dateTime(v: When, seconds?: boolean): string;
  /** The day alone. */
  date(v: When): string;
  /** The time of day to the second, with the zone: "10:42:13 UTC". */
  time(v: When): string;
  /** How long ago, in words: "18 seconds ago", "il y a 3 heures". */
  ago(v: When, now?: number): string;
  /** A span as a compact quantity for dense tables: "5 min", "3 hr", "2 days". */
  span(ms: number): string;
  number(n: number): string;
}

/**
 * Intl's formatToParts costs about 10 µs, and a queue page writes some 150 times and spans: each
 * formatter keeps what it wrote, by the value as shown (to the minute or second), so a page seen
 * again formats almost nothing.
 */
function remembered(write: (v: number) => string): (v: number) => string {
  const seen = new Map<number, string>();
  return (v) => {
    let text = seen.get(v);
    if (text === undefined) {
      text = write(v);
      if (seen.size >= 5_000) seen.clear();
      seen.set(v, text);
    }
    return text;
  };
}

const ms = (v: When) => (v instanceof Date ? v.getTime() : typeof v === 'number' ? v : Date.parse(v));

/** A time zone the runtime knows, or undefined: what a browser or a form sends is checked before use. */
export function validTimeZone(tz: unknown): string | undefined {
  if (typeof tz !== 'string' || tz.length === 0 || tz.length > 64) return undefined;
  try {
    // As given, not as ICU names it: ICU still calls Asia/Kolkata "Asia/Calcutta".
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return tz;
  } catch {
    return undefined;
  }
}

const made = new Map<string, Formatter>();

/** Formatters are costly to build (tens of µs each) and a queue page formats hundreds of times: one set per locale. */
export function formatter(locale: Locale): Formatter {
  const id = `${locale.lang} ${locale.timeZone}`;
  let f = made.get(id);
  if (!f) {
    f = build(locale);
    if (made.size > 500) made.clear();
    made.set(id, f);
  }
  return f;
}

function build({ lang, timeZone }: Locale): Formatter {
  const parts = (seconds: boolean) =>
    new Intl.DateTimeFormat(lang, { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', ...(seconds ? { second: '2-digit' } : {}), hourCycle: 'h23', timeZone, timeZoneName: 'short' });
  const minute = parts(false);
  const second = parts(true);
  const clock = new Intl.DateTimeFormat(lang, { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23', timeZone, timeZoneName: 'short' });
  const day = new Intl.DateTimeFormat(lang, { year: 'numeric', month: '2-digit', day: '2-digit', timeZone });
  const rel = new Intl.RelativeTimeFormat(lang, { style: 'long', numeric: 'auto' });
  const units = (['second', 'minute', 'hour', 'day'] as const).map((unit) => new Intl.NumberFormat(lang, { style: 'unit', unit, unitDisplay: 'short', maximumFractionDigits: 0 }));
  const num = new Intl.NumberFormat(lang);
  // English readers get ISO's year-month-day order, as SOC tooling writes it; other languages their own.
  const iso = lang === 'en';
  const dateTimeOf = (fmt: Intl.DateTimeFormat) => (at: number) => {
    const p = Object.fromEntries(fmt.formatToParts(at).map((x) => [x.type, x.value]));
    return iso ? `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}${p.second ? `:${p.second}` : ''} ${p.timeZoneName}` : fmt.format(at).replace(',', '');
  };
  const toMinute = remembered(dateTimeOf(minute));
  const toSecond = remembered(dateTimeOf(second));
  const toClock = remembered((at) => clock.format(at));
  const toDay = remembered((at) => {
    if (!iso) return day.format(at);
    const p = Object.fromEntries(day.formatToParts(at).map((x) => [x.type, x.value]));
    return `${p.year}-${p.month}-${p.day}`;
  });
  // Keyed by unit and amount (unit × 1e9 + amount): a page shows few distinct ones.
  const inUnit = remembered((key) => units[Math.floor(key / 1e9)]!.format(key % 1e9));
  const floor = (v: When, step: number) => Math.floor(ms(v) / step) * step;
  // One odd time from upstream never breaks a page: it is shown as it came.
  const readable = (v: When) => Number.isFinite(ms(v));
  const odd = (v: When) => (v instanceof Date ? '' : String(v));
  return {
    dateTime: (v, seconds = false) => (!readable(v) ? odd(v) : seconds ? toSecond(floor(v, 1000)) : toMinute(floor(v, 60_000))),
    date: (v) => (readable(v) ? toDay(floor(v, 60_000)) : odd(v)),
    time: (v) => (readable(v) ? toClock(floor(v, 1000)) : odd(v)),
    ago: (v, now = Date.now()) => {
      if (!readable(v)) return odd(v);
      const s = Math.round((ms(v) - now) / 1000);
      const a = Math.abs(s);
      return a < 90 ? rel.format(s, 'second') : a < 5400 ? rel.format(Math.round(s / 60), 'minute') : a < 172_800 ? rel.format(Math.round(s / 3600), 'hour') : rel.format(Math.round(s / 86400), 'day');
    },
    span: (span) => {
      if (!Number.isFinite(span)) return '';
      const m = Math.max(0, Math.round(span / 60_000));
      return m < 1 ? inUnit(Math.max(0, Math.round(span / 1000))) : m < 60 ? inUnit(1e9 + m) : m < 2880 ? inUnit(2e9 + Math.round(m / 60)) : inUnit(3e9 + Math.round(m / 1440));
    },
    number: (n) => num.format(n),
  };
}
