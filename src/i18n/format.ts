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
  const dateTimeOf = (fmt: Intl.DateTimeFormat, v: When) => {
    const p = Object.fromEntries(fmt.formatToParts(ms(v)).map((x) => [x.type, x.value]));
    return iso ? `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}${p.second ? `:${p.second}` : ''} ${p.timeZoneName}` : fmt.format(ms(v)).replace(',', '');
  };
  const dayOf = (v: When) => {
    if (!iso) return day.format(ms(v));
    const p = Object.fromEntries(day.formatToParts(ms(v)).map((x) => [x.type, x.value]));
    return `${p.year}-${p.month}-${p.day}`;
  };
  return {
    dateTime: (v, seconds = false) => dateTimeOf(seconds ? second : minute, v),
    date: dayOf,
    time: (v) => clock.format(ms(v)),
    ago: (v, now = Date.now()) => {
      const s = Math.round((ms(v) - now) / 1000);
      const a = Math.abs(s);
      return a < 90 ? rel.format(s, 'second') : a < 5400 ? rel.format(Math.round(s / 60), 'minute') : a < 172_800 ? rel.format(Math.round(s / 3600), 'hour') : rel.format(Math.round(s / 86400), 'day');
    },
    span: (span) => {
      const m = Math.max(0, Math.round(span / 60_000));
      return m < 1 ? units[0]!.format(Math.max(0, Math.round(span / 1000))) : m < 60 ? units[1]!.format(m) : m < 2880 ? units[2]!.format(Math.round(m / 60)) : units[3]!.format(Math.round(m / 1440));
    },
    number: (n) => num.format(n),
  };
}
