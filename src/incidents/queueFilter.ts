import { t } from '../i18n/i18n';
import { CLASSIFICATIONS, DETERMINATIONS, EMAIL, SEVERITIES, STATUSES, type Severity, type Status } from './model';

export { SEVERITIES, STATUSES, type Severity, type Status } from './model';

export const WINDOWS = { '24h': 24 * 3600e3, '3d': 3 * 24 * 3600e3, '7d': 7 * 24 * 3600e3, '30d': 30 * 24 * 3600e3, '6m': 183 * 24 * 3600e3, custom: 0 } as const;
/** The queue sorts by any of its columns, over the whole result (the index does it). */
export const SORTS = ['updated', 'severity', 'created', 'id', 'name', 'status', 'assignee', 'classification', 'determination'] as const;
export const PAGE_SIZES = [25, 50, 100] as const;
/** Columns the queue shows only when asked (one line per incident leaves room for a few). */
export const EXTRA_COLUMNS = ['unassignedFor', 'devices', 'users', 'firstActivity', 'lastActivity'] as const;
/** Every determination, of whichever classification, each once: what the queue filters by. */
export const ALL_DETERMINATIONS = [...new Set(Object.values(DETERMINATIONS).flat())];

export type TimeWindow = keyof typeof WINDOWS;
export type Sort = (typeof SORTS)[number];
export type ExtraColumn = (typeof EXTRA_COLUMNS)[number];
export type Assignee = { kind: 'anyone' } | { kind: 'me' } | { kind: 'unassigned' } | { kind: 'address'; address: string };

export interface QueueFilter {
  status: Status[];
  severity: Severity[];
  assignee: Assignee;
  window: TimeWindow;
  /** Custom window bounds (ISO dates or date-times), only with window=custom. */
  from?: string;
  to?: string;
  classification: string[];
  determination: string[];
  /** A service source (Defender for Endpoint…), a detection source, an alert category, a device group: exact values. */
  source?: string;
  detectionSource?: string;
  category?: string;
  deviceGroup?: string;
  tag?: string;
  /** Free search: an incident id, part of its name, or an entity (user, device, IP, file or hash, mailbox, URL). */
  q?: string;
  sort: Sort;
  dir: 'asc' | 'desc';
  page: number;
  size: (typeof PAGE_SIZES)[number];
  /** Extra columns shown, in the analyst's order. */
  more: ExtraColumn[];
  /** Open incidents past an SLA target (overdue) or in a target's last quarter (soon). */
  sla?: 'overdue' | 'soon';
  /** Unassigned for more than this many hours. */
  unassigned?: number;
}

export const DEFAULT_FILTER: QueueFilter = {
  status: ['active', 'inProgress', 'awaitingAction'],
  severity: ['high', 'medium', 'low'],
  assignee: { kind: 'anyone' },
  window: '6m',
  classification: [],
  determination: [],
  sort: 'updated',
  dir: 'desc',
  page: 1,
  size: 50,
  more: [],
};

/**
 * The built-in saved views: plain query strings, so they bookmark and share like any other view.
 * Each is named by its message key, translated where shown (in the reader's language).
 */
export const SAVED_VIEWS: { key: string; query: string }[] = [
  { key: 'queue:views.assignedToMe', query: 'assignee=me' },
  { key: 'queue:views.unassignedHighMedium', query: 'assignee=unassigned&severity=high&severity=medium' },
  { key: 'queue:views.updated24h', query: 'window=24h' },
  { key: 'queue:views.resolved7d', query: 'status=resolved&window=7d' },
  { key: 'queue:views.overdue', query: 'sla=overdue&severity=high&severity=medium&severity=low&severity=informational' },
  { key: 'queue:views.breachingSoon', query: 'sla=soon&severity=high&severity=medium&severity=low&severity=informational' },
  { key: 'queue:views.unassigned4h', query: 'unassigned=4' },
];

const ISO_DATE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?Z?)?$/;
// eslint-disable-next-line no-control-regex -- control characters are exactly what it rejects
const FREE_TEXT = /^[^\u0000-\u001f\u007f]{1,100}$/;
/** Whether a value may go into a free-text filter (q, tag, source…): 1–100 printable characters. */
export const isFreeText = (v: string) => FREE_TEXT.test(v);

export class FilterError extends Error {
  constructor(readonly field: string, message: string) {
    super(message);
    this.name = 'FilterError';
  }
}

type Query = Record<string, unknown>;

function many(query: Query, key: string): string[] | undefined {
  const v = query[key];
  if (v === undefined) return undefined;
  const list = (Array.isArray(v) ? v : [v]).filter((x): x is string => typeof x === 'string');
  return list.flatMap((x) => x.split(',')).map((x) => x.trim()).filter(Boolean);
}

function one(query: Query, key: string): string | undefined {
  const v = query[key];
  const s: unknown = Array.isArray(v) ? (v as unknown[])[0] : v;
  return typeof s === 'string' && s.trim() !== '' ? s.trim() : undefined;
}

/** Names earlier versions of ThreatDesk put in bookmarks, still accepted. */
const ALIASES: Record<string, string> = { unspecified: 'unknown', merged: 'redirected' };

function pick<T extends string>(values: string[], allowed: readonly T[], field: string): T[] {
  const out: T[] = [];
  for (const v of values) {
    const lower = ALIASES[v.toLowerCase()] ?? v.toLowerCase();
    const match = allowed.find((a) => a.toLowerCase() === lower);
    if (!match) throw new FilterError(field, t('queue:invalid.value', { value: v, field, allowed: allowed.join(', ') }));
    if (!out.includes(match)) out.push(match);
  }
  return out;
}

/**
 * Reads the queue filter from the query string. Every value is checked against an allow-list or a
 * strict pattern; nothing the user typed reaches an OData expression without passing here.
 */
export function parseFilter(query: Query): QueueFilter {
  const status = many(query, 'status');
  const severity = many(query, 'severity');
  const assigneeRaw = one(query, 'assignee');
  let assignee: Assignee = DEFAULT_FILTER.assignee;
  if (assigneeRaw) {
    const lower = assigneeRaw.toLowerCase();
    if (lower === 'anyone' || lower === 'me' || lower === 'unassigned') assignee = { kind: lower };
    else if (EMAIL.test(assigneeRaw)) assignee = { kind: 'address', address: assigneeRaw };
    else throw new FilterError('assignee', t('queue:invalid.assignee', { value: assigneeRaw }));
  }
  const windowRaw = one(query, 'window');
  if (windowRaw && !Object.hasOwn(WINDOWS, windowRaw)) throw new FilterError('window', t('queue:invalid.window', { value: windowRaw }));
  const window = (windowRaw ?? DEFAULT_FILTER.window) as TimeWindow;
  const from = one(query, 'from');
  const to = one(query, 'to');
  for (const [name, value] of [['from', from], ['to', to]] as const) {
    if (value && (!ISO_DATE.test(value) || Number.isNaN(Date.parse(value)))) throw new FilterError(name, t('queue:invalid.date', { value }));
  }
  if (window === 'custom' && !from && !to) throw new FilterError('from', t('queue:invalid.customWindow'));
  const classification = many(query, 'classification');
  const determination = many(query, 'determination');
  const dirRaw = one(query, 'dir');
  if (dirRaw !== undefined && dirRaw !== 'asc' && dirRaw !== 'desc') throw new FilterError('dir', t('queue:invalid.dir', { value: dirRaw }));
  const pageRaw = one(query, 'page');
  if (pageRaw !== undefined && !/^[1-9]\d{0,5}$/.test(pageRaw)) throw new FilterError('page', t('queue:invalid.page', { value: pageRaw }));
  const sizeRaw = one(query, 'size');
  const size = sizeRaw === undefined ? DEFAULT_FILTER.size : PAGE_SIZES.find((n) => String(n) === sizeRaw);
  if (size === undefined) throw new FilterError('size', t('queue:invalid.size', { value: sizeRaw, sizes: PAGE_SIZES.join(', ') }));
  if (from && to && Date.parse(from) > Date.parse(to)) throw new FilterError('to', t('queue:invalid.endBeforeStart'));
  const text = (name: string) => {
    const v = one(query, name);
    if (v !== undefined && !isFreeText(v)) throw new FilterError(name, t('queue:invalid.text', { name }));
    return v;
  };
  const slaRaw = one(query, 'sla');
  if (slaRaw !== undefined && slaRaw !== 'overdue' && slaRaw !== 'soon') throw new FilterError('sla', t('queue:invalid.sla', { value: slaRaw }));
  const unassignedRaw = one(query, 'unassigned');
  if (unassignedRaw !== undefined && !/^([1-9]\d{0,2})$/.test(unassignedRaw)) throw new FilterError('unassigned', t('queue:invalid.unassigned', { value: unassignedRaw }));
  const moreRaw = many(query, 'more');
  const more = moreRaw?.length ? pick(moreRaw, EXTRA_COLUMNS, 'more') : [];
  const sortRaw = one(query, 'sort');
  const sort = (sortRaw ? pick([sortRaw], SORTS, 'sort')[0] : undefined) ?? DEFAULT_FILTER.sort;
  return {
    status: status?.length ? pick(status, STATUSES, 'status') : [...DEFAULT_FILTER.status],
    severity: severity?.length ? pick(severity, SEVERITIES, 'severity') : [...DEFAULT_FILTER.severity],
    assignee,
    window,
    from: window === 'custom' ? from : undefined,
    to: window === 'custom' ? to : undefined,
    classification: classification?.length ? pick(classification, CLASSIFICATIONS, 'classification') : [],
    determination: determination?.length ? pick(determination, ALL_DETERMINATIONS, 'determination') : [],
    source: text('source'),
    detectionSource: text('detectionSource'),
    category: text('category'),
    deviceGroup: text('deviceGroup'),
    tag: text('tag'),
    q: text('q'),
    sort,
    dir: dirRaw ?? DEFAULT_FILTER.dir,
    page: pageRaw === undefined ? 1 : Number(pageRaw),
    size,
    more: [...new Set(more)],
    sla: slaRaw,
    unassigned: unassignedRaw === undefined ? undefined : Number(unassignedRaw),
  };
}

/** The canonical query string of a filter (defaults omitted), for links, bookmarks and "back to queue". */
export function serializeFilter(f: QueueFilter): string {
  const p = new URLSearchParams();
  const same = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x) => b.includes(x));
  if (!same(f.status, DEFAULT_FILTER.status)) f.status.forEach((s) => p.append('status', s));
  if (!same(f.severity, DEFAULT_FILTER.severity)) f.severity.forEach((s) => p.append('severity', s));
  if (f.assignee.kind === 'address') p.set('assignee', f.assignee.address);
  else if (f.assignee.kind !== 'anyone') p.set('assignee', f.assignee.kind);
  if (f.window !== DEFAULT_FILTER.window) p.set('window', f.window);
  if (f.from) p.set('from', f.from);
  if (f.to) p.set('to', f.to);
  f.classification.forEach((c) => p.append('classification', c));
  f.determination.forEach((d) => p.append('determination', d));
  if (f.source) p.set('source', f.source);
  if (f.detectionSource) p.set('detectionSource', f.detectionSource);
  if (f.category) p.set('category', f.category);
  if (f.deviceGroup) p.set('deviceGroup', f.deviceGroup);
  if (f.tag) p.set('tag', f.tag);
  if (f.q) p.set('q', f.q);
  if (f.sla) p.set('sla', f.sla);
  if (f.unassigned !== undefined) p.set('unassigned', String(f.unassigned));
  if (f.sort !== DEFAULT_FILTER.sort) p.set('sort', f.sort);
  if (f.dir !== DEFAULT_FILTER.dir) p.set('dir', f.dir);
  if (f.size !== DEFAULT_FILTER.size) p.set('size', String(f.size));
  f.more.forEach((c) => p.append('more', c));
  if (f.page !== 1) p.set('page', String(f.page));
  return p.toString();
}

const isoDateTime = (ms: number) => new Date(ms).toISOString();

/** A date-time as typed (a date and time input sends no zone): UTC, never the server's own zone. */
const utc = (v: string) => Date.parse(v.endsWith('Z') ? v : `${v}Z`);

/** Custom window bounds: a bare date means the whole day (from its start, to its end); times are UTC. */
export function windowBounds(f: QueueFilter, now: number): { from?: string; to?: string } {
  if (f.window !== 'custom') return { from: isoDateTime(now - WINDOWS[f.window]) };
  const from = f.from ? isoDateTime(f.from.length === 10 ? utc(`${f.from}T00:00:00`) : utc(f.from)) : undefined;
  const to = f.to ? isoDateTime(f.to.length === 10 ? utc(`${f.to}T00:00:00`) + 24 * 3600e3 - 1 : utc(f.to)) : undefined;
  return { from, to };
}

/** A custom bound as a date and time input shows it (YYYY-MM-DDTHH:MM, UTC). */
export const inputDateTime = (v: string | undefined, endOfDay: boolean) => (v === undefined ? '' : v.length === 10 ? `${v}T${endOfDay ? '23:59' : '00:00'}` : v.replace(/Z$/, '').slice(0, 16));
