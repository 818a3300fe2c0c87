import { labels } from '../../incidents/labels';
import { DEFAULT_FILTER, isFreeText, parseFilter, serializeFilter, type ExtraColumn, type QueueFilter } from '../../incidents/queueFilter';
import type { AnalystSettings } from '../../settings/settingsStore';

/** Names of the extra columns, in words. */
export const EXTRA_COLUMN_NAMES: Record<ExtraColumn, string> = { unassignedFor: 'Unassigned for', devices: 'Devices', users: 'Users', firstActivity: 'First activity', lastActivity: 'Last activity' };

const WINDOW_NAMES: Record<string, string> = { '24h': 'last 24 hours', '3d': 'last 3 days', '7d': 'last 7 days', '30d': 'last 30 days', '6m': 'last 6 months' };

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
  if (!sameSet(f.status, DEFAULT_FILTER.status)) chip(`Status: ${f.status.map(labels.status).join(', ')}`, { status: [...DEFAULT_FILTER.status] });
  if (!sameSet(f.severity, DEFAULT_FILTER.severity)) chip(`Severity: ${f.severity.map(labels.severity).join(', ')}`, { severity: [...DEFAULT_FILTER.severity] });
  if (f.assignee.kind !== 'anyone') chip(`Assigned to: ${f.assignee.kind === 'address' ? f.assignee.address : f.assignee.kind === 'me' ? 'me' : 'nobody'}`, { assignee: DEFAULT_FILTER.assignee });
  if (f.window === 'custom') chip(`Updated ${f.from ? `from ${f.from}` : ''}${f.from && f.to ? ' ' : ''}${f.to ? `to ${f.to}` : ''}`, { window: DEFAULT_FILTER.window, from: undefined, to: undefined });
  else if (f.window !== DEFAULT_FILTER.window) chip(`Updated in the ${WINDOW_NAMES[f.window] ?? f.window}`, { window: DEFAULT_FILTER.window });
  if (f.classification.length) chip(`Classification: ${f.classification.map(labels.classification).join(', ')}`, { classification: [] });
  if (f.determination.length) chip(`Determination: ${f.determination.map(labels.determination).join(', ')}`, { determination: [] });
  if (f.sla) chip(f.sla === 'overdue' ? 'Overdue' : 'Breaching soon', { sla: undefined });
  if (f.unassigned !== undefined) chip(`Unassigned for more than ${f.unassigned} h`, { unassigned: undefined });
  if (f.source) chip(`Service source: ${labels.source(f.source)}`, { source: undefined });
  if (f.detectionSource) chip(`Detection source: ${labels.source(f.detectionSource)}`, { detectionSource: undefined });
  if (f.category) chip(`Category: ${f.category}`, { category: undefined });
  if (f.deviceGroup) chip(`Device group: ${f.deviceGroup}`, { deviceGroup: undefined });
  if (f.tag) chip(`Tag: ${f.tag}`, { tag: undefined });
  if (f.q) chip(`Search: ${f.q}`, { q: undefined });
  return chips;
}

/** The extra columns' order, changed without script: a link per chosen column moving it one place earlier. */
export function columnMoves(f: QueueFilter): { label: string; href: string }[] {
  return f.more.slice(1).map((c, i) => {
    const more = [...f.more];
    [more[i], more[i + 1]] = [c, more[i] as ExtraColumn];
    return { label: `Move “${EXTRA_COLUMN_NAMES[c]}” left`, href: `/incidents?${serializeFilter({ ...f, more })}` };
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
