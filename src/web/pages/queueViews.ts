import { t } from '../../i18n/i18n';
import { labels } from '../../incidents/labels';
import { DEFAULT_FILTER, isFreeText, parseFilter, serializeFilter, type ExtraColumn, type QueueFilter } from '../../incidents/queueFilter';
import type { AnalystSettings } from '../../settings/settingsStore';

/**
 * Names of the extra columns, in words. Getters, so that each is translated when read (in the
 * language of the request reading it), while callers keep reading it as a plain record.
 */
export const EXTRA_COLUMN_NAMES: Readonly<Record<ExtraColumn, string>> = {
  get unassignedFor() {
    return t('queue:columns.unassignedFor');
  },
  get devices() {
    return t('queue:columns.devices');
  },
  get users() {
    return t('queue:columns.users');
  },
  get firstActivity() {
    return t('queue:columns.firstActivity');
  },
  get lastActivity() {
    return t('queue:columns.lastActivity');
  },
};

/** The chip of each relative time window (the custom one says its bounds). */
const WINDOW_CHIPS: Record<string, string> = {
  '24h': 'queue:chips.window.last24h',
  '3d': 'queue:chips.window.last3d',
  '7d': 'queue:chips.window.last7d',
  '30d': 'queue:chips.window.last30d',
  '6m': 'queue:chips.window.last6m',
};

const href = (f: QueueFilter) => {
  const q = serializeFilter({ ...f, page: 1 });
  return q ? `/incidents?${q}` : '/incidents';
};

const sameSet = (a: readonly string[], b: readonly string[]) => [...a].sort().join() === [...b].sort().join();

/**
 * The filters in use as removable chips: each says what it selects, in words, and links to the
 * same view without it (back to its default). Sort, page size and columns are not filters.
 */
export function filterChips(f: QueueFilter): { label: string; href: string }[] {
  const chips: { label: string; href: string }[] = [];
  const chip = (label: string, without: Partial<QueueFilter>) => chips.push({ label, href: href({ ...f, ...without }) });
  // The bounds of a custom window are shown as typed (they are the analyst's own input).
  const updated = (from?: string, to?: string) =>
    from && to ? t('queue:chips.updatedBetween', { from, to }) : from ? t('queue:chips.updatedFrom', { from }) : t('queue:chips.updatedTo', { to });
  if (!sameSet(f.status, DEFAULT_FILTER.status)) chip(t('queue:chips.status', { values: f.status.map(labels.status).join(', ') }), { status: [...DEFAULT_FILTER.status] });
  if (!sameSet(f.severity, DEFAULT_FILTER.severity)) chip(t('queue:chips.severity', { values: f.severity.map(labels.severity).join(', ') }), { severity: [...DEFAULT_FILTER.severity] });
  if (f.assignee.kind !== 'anyone') chip(t('queue:chips.assignedTo', { who: f.assignee.kind === 'address' ? f.assignee.address : f.assignee.kind === 'me' ? t('queue:chips.me') : t('queue:chips.nobody') }), { assignee: DEFAULT_FILTER.assignee });
  if (f.window === 'custom') chip(updated(f.from, f.to), { window: DEFAULT_FILTER.window, from: undefined, to: undefined });
  else if (f.window !== DEFAULT_FILTER.window) {
    const key = WINDOW_CHIPS[f.window];
    chip(key === undefined ? f.window : t(key), { window: DEFAULT_FILTER.window });
  }
  if (f.classification.length) chip(t('queue:chips.classification', { values: f.classification.map(labels.classification).join(', ') }), { classification: [] });
  if (f.determination.length) chip(t('queue:chips.determination', { values: f.determination.map(labels.determination).join(', ') }), { determination: [] });
  if (f.sla) chip(f.sla === 'overdue' ? t('queue:filter.overdue') : t('queue:filter.breachingSoon'), { sla: undefined });
  if (f.unassigned !== undefined) chip(t('queue:filter.unassignedFor', { hours: f.unassigned }), { unassigned: undefined });
  if (f.source) chip(t('queue:chips.source', { value: labels.source(f.source) }), { source: undefined });
  if (f.detectionSource) chip(t('queue:chips.detectionSource', { value: labels.source(f.detectionSource) }), { detectionSource: undefined });
  if (f.category) chip(t('queue:chips.category', { value: f.category }), { category: undefined });
  if (f.deviceGroup) chip(t('queue:chips.deviceGroup', { value: f.deviceGroup }), { deviceGroup: undefined });
  if (f.tag) chip(t('queue:chips.tag', { value: f.tag }), { tag: undefined });
  if (f.q) chip(t('queue:chips.search', { value: f.q }), { q: undefined });
  return chips;
}

/** The extra columns' order, changed without script: a link per chosen column moving it one place earlier. */
export function columnMoves(f: QueueFilter): { label: string; href: string }[] {
  return f.more.slice(1).map((c, i) => {
    const more = [...f.more];
    [more[i], more[i + 1]] = [c, more[i] as ExtraColumn];
    return { label: t('queue:columns.moveLeft', { column: EXTRA_COLUMN_NAMES[c] }), href: `/incidents?${serializeFilter({ ...f, more })}` };
  });
}

/** A query string as Express would parse it, repeated keys (status=active&status=resolved) kept. */
export const asQuery = (qs: string) => {
  const query: Record<string, string[]> = {};
  for (const [k, v] of new URLSearchParams(qs)) (query[k] ??= []).push(v);
  return query;
};

/** What a view selects, whatever its page, sort, size or columns (a saved view keeps those too, but they do not make it another view). */
export function selectionOf(f: QueueFilter): string {
  return serializeFilter({
    ...f,
    status: [...f.status].sort(),
    severity: [...f.severity].sort(),
    classification: [...f.classification].sort(),
    determination: [...f.determination].sort(),
    page: 1,
    sort: DEFAULT_FILTER.sort,
    dir: DEFAULT_FILTER.dir,
    size: DEFAULT_FILTER.size,
    more: [],
  });
}

/** A saved view's name as typed: 1–60 printable characters. */
export function viewName(raw: unknown): string | undefined {
  if (typeof raw !== 'string') return undefined;
  const name = raw.trim();
  return name.length <= 60 && isFreeText(name) ? name : undefined;
}

/** The analyst's saved views, each with its link, its share link (the name rides along), and whether it is the one shown. */
export function analystViews(settings: AnalystSettings, f: QueueFilter, baseUrl: string) {
  const current = selectionOf(f);
  return settings.views.map((v) => {
    let selects: string | undefined;
    try {
      selects = selectionOf(parseFilter(asQuery(v.query)));
    } catch {
      selects = undefined;
    }
    const link = v.query ? `/incidents?${v.query}` : '/incidents';
    return { name: v.name, href: link, share: `${baseUrl}${link}${v.query ? '&' : '?'}${new URLSearchParams({ name: v.name }).toString()}`, active: selects === current };
  });
}
