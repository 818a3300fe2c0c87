import { SEVERITIES, STATUSES, type Incident, type Severity, type Status } from './model';

export { SEVERITIES, STATUSES, type Severity, type Status } from './model';

export const WINDOWS = { '24h': 24 * 3600e3, '7d': 7 * 24 * 3600e3, '30d': 30 * 24 * 3600e3, '6m': 183 * 24 * 3600e3, custom: 0 } as const;
export const SORTS = ['updated', 'severity', 'created'] as const;

export type TimeWindow = keyof typeof WINDOWS;
export type Sort = (typeof SORTS)[number];
export type Assignee = { kind: 'anyone' } | { kind: 'me' } | { kind: 'unassigned' } | { kind: 'address'; address: string };

export interface QueueFilter {
  status: Status[];
  severity: Severity[];
  assignee: Assignee;
  window: TimeWindow;
  /** Custom window bounds (ISO dates or date-times), only with window=custom. */
  from?: string;
  to?: string;
  source?: string;
  tag?: string;
  q?: string;
  sort: Sort;
}

export const DEFAULT_FILTER: QueueFilter = {
  status: ['active', 'inProgress', 'awaitingAction'],
  severity: ['high', 'medium', 'low'],
  assignee: { kind: 'anyone' },
  window: '6m',
  sort: 'updated',
};

/** The built-in saved views: plain query strings, so they bookmark and share like any other view. */
export const SAVED_VIEWS: { name: string; query: string }[] = [
  { name: 'Assigned to me', query: 'assignee=me' },
  { name: 'Unassigned High/Medium', query: 'assignee=unassigned&severity=high&severity=medium' },
  { name: 'Updated in the last 24 h', query: 'window=24h' },
];

const EMAIL = /^[^\s@"<>()\\,;:]{1,64}@[a-z0-9.-]{1,190}\.[a-z]{2,63}$/i;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?Z?)?$/;
// eslint-disable-next-line no-control-regex -- control characters are exactly what it rejects
const FREE_TEXT = /^[^\u0000-\u001f\u007f]{1,100}$/;

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
    if (!match) throw new FilterError(field, `“${v}” is not a valid ${field} (allowed: ${allowed.join(', ')})`);
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
    else throw new FilterError('assignee', `“${assigneeRaw}” is not “me”, “unassigned”, “anyone” or an email address`);
  }
  const windowRaw = one(query, 'window');
  if (windowRaw && !Object.hasOwn(WINDOWS, windowRaw)) throw new FilterError('window', `“${windowRaw}” is not a time window (24h, 7d, 30d, 6m, custom)`);
  const window = (windowRaw ?? DEFAULT_FILTER.window) as TimeWindow;
  const from = one(query, 'from');
  const to = one(query, 'to');
  for (const [name, value] of [['from', from], ['to', to]] as const) {
    if (value && (!ISO_DATE.test(value) || Number.isNaN(Date.parse(value)))) throw new FilterError(name, `“${value}” is not a date (YYYY-MM-DD or an ISO date-time)`);
  }
  if (window === 'custom' && !from && !to) throw new FilterError('from', 'A custom window needs a start or an end date');
  if (from && to && Date.parse(from) > Date.parse(to)) throw new FilterError('to', 'The end of the window is before its start');
  const text = (name: string) => {
    const v = one(query, name);
    if (v !== undefined && !FREE_TEXT.test(v)) throw new FilterError(name, `The ${name} filter must be 1–100 printable characters`);
    return v;
  };
  const sortRaw = one(query, 'sort');
  const sort = (sortRaw ? pick([sortRaw], SORTS, 'sort')[0] : undefined) ?? DEFAULT_FILTER.sort;
  return {
    status: status?.length ? pick(status, STATUSES, 'status') : [...DEFAULT_FILTER.status],
    severity: severity?.length ? pick(severity, SEVERITIES, 'severity') : [...DEFAULT_FILTER.severity],
    assignee,
    window,
    from: window === 'custom' ? from : undefined,
    to: window === 'custom' ? to : undefined,
    source: text('source'),
    tag: text('tag'),
    q: text('q'),
    sort,
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
  if (f.source) p.set('source', f.source);
  if (f.tag) p.set('tag', f.tag);
  if (f.q) p.set('q', f.q);
  if (f.sort !== DEFAULT_FILTER.sort) p.set('sort', f.sort);
  return p.toString();
}

const isoDateTime = (ms: number) => new Date(ms).toISOString();

/** Custom window bounds: a bare date means the whole day (from its start, to its end), in UTC. */
export function windowBounds(f: QueueFilter, now: number): { from?: string; to?: string } {
  if (f.window !== 'custom') return { from: isoDateTime(now - WINDOWS[f.window]) };
  const from = f.from ? isoDateTime(Date.parse(f.from.length === 10 ? `${f.from}T00:00:00Z` : f.from)) : undefined;
  const to = f.to ? isoDateTime(f.to.length === 10 ? Date.parse(`${f.to}T00:00:00Z`) + 24 * 3600e3 - 1 : Date.parse(f.to)) : undefined;
  return { from, to };
}

/**
 * The whole filter, applied by the app to every incident read, whatever part the API already
 * applied (the API's filtering is an optimisation, never relied on). Severity is left to the
 * caller so that hidden severities can still be counted.
 */
export function matchesAppSide(i: Incident, f: QueueFilter, ctx: { upn: string; now: number }): boolean {
  // A status ThreatDesk does not know yet is shown rather than silently hidden.
  if (isStatus(i.status) && !f.status.includes(i.status)) return false;
  if (f.assignee.kind === 'unassigned' && i.assignedTo) return false;
  if (f.assignee.kind === 'me' && i.assignedTo.toLowerCase() !== ctx.upn.toLowerCase()) return false;
  if (f.assignee.kind === 'address' && i.assignedTo.toLowerCase() !== f.assignee.address.toLowerCase()) return false;
  const { from, to } = windowBounds(f, ctx.now);
  if (from && i.lastUpdateAt < from) return false;
  if (to && i.lastUpdateAt > to) return false;
  if (f.source) {
    const source = f.source.toLowerCase();
    if (!(i.alerts ?? []).some((a) => a.serviceSource?.toLowerCase() === source)) return false;
  }
  if (f.tag) {
    const tag = f.tag.toLowerCase();
    if (![...i.customTags, ...i.systemTags].some((t) => t.toLowerCase() === tag)) return false;
  }
  if (f.q) {
    const q = f.q.toLowerCase();
    if (!i.id.toLowerCase().includes(q) && !i.displayName.toLowerCase().includes(q)) return false;
  }
  return true;
}

export function severityOf(i: Incident): Severity {
  return SEVERITIES.find((s) => s === i.severity) ?? 'unknown';
}

export const isStatus = (v: string): v is Status => (STATUSES as readonly string[]).includes(v);
