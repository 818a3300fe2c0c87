/**
 * What an analyst sends the Hunting page: the query and its time range, as Graph's `Timespan`.
 * Nothing here is trusted: the query goes to Microsoft as the analyst's own text (Microsoft parses
 * it), the range only as one of a few forms this module writes itself.
 */
import { intl, t } from '../i18n/i18n';

/** Long enough for any real hunting query, short enough for one form post. */
export const MAX_QUERY = 20_000;
/** Hunting keeps 30 days of data: Graph finds nothing older. */
export const MAX_SPAN_MS = 30 * 86_400_000;

/** The preset ranges, as ISO 8601 durations Graph takes as `Timespan` (ending now), each with its label's message key. */
export const RANGES = [
  ['PT1H', 'hunting:range.hour'],
  ['P1D', 'hunting:range.day'],
  ['P7D', 'hunting:range.week'],
  ['P30D', 'hunting:range.month'],
  ['custom', 'hunting:range.custom'],
] as const;
export type RangeKey = (typeof RANGES)[number][0];

export interface HuntForm {
  query: string;
  range: RangeKey;
  /** For a custom range: minutes in UTC, as a datetime-local field holds them ("2026-11-30T08:15"). */
  from: string;
  to: string;
}

export const DEFAULT_FORM: HuntForm = { query: '', range: 'P1D', from: '', to: '' };

const LOCAL_MINUTE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/;
const text = (v: unknown) => (typeof v === 'string' ? v : '');

/** Minutes in UTC as a datetime-local value. */
export const localMinute = (ms: number): string => new Date(ms).toISOString().slice(0, 16);

/** The form as sent (or as a link carries it), with what is wrong with it, if anything. */
export function parseHuntForm(raw: Record<string, unknown>): { form: HuntForm; problem?: { field: 'query' | 'range'; text: string } } {
  const rangeRaw = text(raw.range);
  const range = (RANGES.find(([key]) => key === rangeRaw)?.[0] ?? (text(raw.from) || text(raw.to) ? 'custom' : DEFAULT_FORM.range));
  // Windows browsers send CRLF in a textarea; the query is the analyst's text either way.
  const form: HuntForm = { query: text(raw.q ?? raw.query).replace(/\r\n/g, '\n'), range, from: text(raw.from).slice(0, 16), to: text(raw.to).slice(0, 16) };
  if (form.query.length > MAX_QUERY) return { form, problem: { field: 'query', text: t('hunting:editor.tooLong', { max: intl().number(MAX_QUERY), length: intl().number(form.query.length) }) } };
  if (range === 'custom') {
    const from = Date.parse(`${form.from}Z`);
    const to = Date.parse(`${form.to}Z`);
    // A date that does not exist (30 February, 24:00) is refused rather than rolled over.
    const real = (text: string, ms: number) => LOCAL_MINUTE.test(text) && !Number.isNaN(ms) && localMinute(ms) === text;
    if (!real(form.from, from) || !real(form.to, to)) {
      return { form, problem: { field: 'range', text: t('hunting:range.incomplete') } };
    }
    if (from >= to) return { form, problem: { field: 'range', text: t('hunting:range.backwards') } };
    if (to - from > MAX_SPAN_MS) return { form, problem: { field: 'range', text: t('hunting:range.tooWide') } };
  }
  return { form };
}

/** Graph's `Timespan` for the form's range: a duration ending now, or `start/end` in UTC. */
export function timespanOf(form: HuntForm): string {
  return form.range === 'custom' ? `${form.from}:00Z/${form.to}:00Z` : form.range;
}

/** The link that opens the Hunting page with this query and range filled in. */
export function huntHref(form: HuntForm): string {
  const params = new URLSearchParams({ q: form.query, range: form.range });
  if (form.range === 'custom') {
    params.set('from', form.from);
    params.set('to', form.to);
  }
  return `/hunting?${params.toString()}`;
}
