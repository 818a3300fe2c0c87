import type { SessionAccount } from '../../auth/tokenService';
import { intl, t } from '../../i18n/i18n';
import { csvHeader, csvRow } from '../../incidents/csv';
import { DETECTION_SOURCES, labels, SERVICE_SOURCES } from '../../incidents/labels';
import { canManage, snapshotOf, verdictOf } from '../../incidents/manage';
import { CLASSIFICATIONS, DETERMINATIONS, isKnown, SETTABLE_STATUSES } from '../../incidents/model';
import { ALL_DETERMINATIONS, DEFAULT_FILTER, FilterError, parseFilter, SAVED_VIEWS, serializeFilter, SEVERITIES, STATUSES, type QueueFilter, type Sort, inputDateTime, windowBounds } from '../../incidents/queueFilter';
import { indexQueryOf } from '../../incidents/queueQuery';
import type { Freshness, IndexSync } from '../../sync/indexSync';
import { passing } from '../../sync/syncErrors';
import { DAY_MS, OPEN_STATUSES, RECENT_DAYS } from '../../sync/syncFilters';
import { queueMark } from '../sinceVisit';
import { InvalidInputError } from '../inputErrors';
import { summaryChart } from '../summaryChart';
import { slaOf, type SlaTargets } from '../../incidents/sla';
import type { AnalystSettings } from '../../settings/settingsStore';
import { analystViews, asQuery, columnMoves, EXTRA_COLUMN_NAMES, filterChips, selectionOf } from './queueViews';

/** Rows read from the index per round while a CSV streams. */
const CSV_CHUNK = 500;

/** Reads the queue's filter from the query string; anything invalid is an InvalidInputError. */
export function parseQueueRequest(query: Record<string, unknown>): QueueFilter {
  try {
    return parseFilter(query);
  } catch (err) {
    if (err instanceof FilterError) throw new InvalidInputError('filter', err.message, '/incidents');
    throw err;
  }
}

/** The queue string an incident page links back to: re-serialized, never echoed as given. */
export function backQuery(raw: unknown): string {
  if (typeof raw !== 'string' || raw.length > 1000) return '';
  try {
    // Repeated keys (status=active&status=resolved) must all survive (asQuery).
    return serializeFilter(parseFilter(asQuery(raw)));
  } catch {
    return '';
  }
}

const href = (f: QueueFilter) => {
  const q = serializeFilter(f);
  return q ? `/incidents?${q}` : '/incidents';
};

/** "as of 10:42:13 UTC (18 seconds ago)", in the reader's words and time zone. */
export function ageText(asOf: string, now: number): string {
  const at = Date.parse(asOf);
  // A clock a little ahead of this server's must not read "in 2 seconds".
  return t('queue:freshness.asOf', { time: intl().time(at), ago: intl().ago(Math.min(at, now), now) });
}

/**
 * What part of the chosen window the backfill has not read yet, if any: open incidents come
 * first, then closed ones of the last 30 days, then older ones back to 6 months.
 */
function backfillGap(f: QueueFilter, fresh: Freshness, now: number): string | undefined {
  const wantsClosed = f.status.some((s) => !OPEN_STATUSES.includes(s));
  if (!wantsClosed || fresh.phase === 'done') return undefined;
  const bound = windowBounds(f, now).from;
  const from = bound === undefined ? 0 : Date.parse(bound);
  if (fresh.phase === 'recent' || fresh.phase === 'open') return t('queue:freshness.readingClosed', { n: fresh.backfillCount });
  if (from < now - RECENT_DAYS * DAY_MS) return t('queue:freshness.readingOlder', { days: RECENT_DAYS, n: fresh.backfillCount });
  return undefined;
}

/** The built-in views (and the default one) by what they select; named by message key, translated where shown. */
const BUILT_IN = new Map([[selectionOf(DEFAULT_FILTER), { key: 'queue:views.default', query: '' }], ...SAVED_VIEWS.map((v) => [selectionOf(parseFilter(asQuery(v.query))), v] as const)]);

const viewOf = (f: QueueFilter) => BUILT_IN.get(selectionOf(f));

/**
 * The page's title says which view it is (tabs, history and screen readers tell views apart): a
 * built-in view by its name, else the filters that differ from the default, and the page.
 */
export function queueTitle(f: QueueFilter, name?: string): string {
  const builtIn = viewOf(f);
  const named = name ?? (builtIn && t(builtIn.key));
  const parts: string[] = [];
  if (named) parts.push(named);
  else {
    const sameSet = (a: readonly string[], b: readonly string[]) => [...a].sort().join() === [...b].sort().join();
    if (!sameSet(f.status, DEFAULT_FILTER.status)) parts.push(f.status.map(labels.status).join(', ') || t('queue:pageTitle.allStatuses'));
    if (!sameSet(f.severity, DEFAULT_FILTER.severity)) parts.push(f.severity.map(labels.severity).join(', ') || t('queue:pageTitle.allSeverities'));
    if (f.assignee.kind === 'me') parts.push(t('queue:pageTitle.assignedToMe'));
    else if (f.assignee.kind === 'unassigned') parts.push(t('queue:pageTitle.unassigned'));
    else if (f.assignee.kind === 'address') parts.push(t('queue:pageTitle.assignedTo', { address: f.assignee.address }));
    if (f.sla) parts.push(f.sla === 'overdue' ? t('queue:filter.overdue') : t('queue:filter.breachingSoon'));
    if (f.unassigned !== undefined) parts.push(t('queue:filter.unassignedFor', { hours: f.unassigned }));
    if (f.q) parts.push(t('queue:pageTitle.search', { q: f.q }));
    if (parts.length === 0) parts.push(t('queue:pageTitle.filtered'));
  }
  if (f.page > 1) parts.push(t('queue:pageTitle.page', { page: f.page }));
  return t('queue:pageTitle.title', { parts: parts.join(' · ') });
}

/** The analyst's own part of the queue page: their saved views, default columns, and a view shared with them by link. */
export interface QueueSettings {
  settings: AnalystSettings;
  /** The name a shared link carries (`name=`), when it is not one of the analyst's views. */
  sharedName?: string;
  baseUrl: string;
  /** The incident to preview beside the list (`preview=`). */
  previewId?: string;
}

/** The preview pane's incident from the analyst's index, with what its short manage form needs. */
async function previewOf(sync: IndexSync, account: SessionAccount, id: string, filter: QueueFilter) {
  const incident = (await sync.indexOf(account).entry(id))?.incident;
  const closeHref = href(filter);
  if (incident === undefined) return { id, closeHref, incident: undefined };
  const snapshot = snapshotOf(incident);
  return {
    id,
    closeHref,
    incident,
    seen: Buffer.from(JSON.stringify(snapshot)).toString('base64url'),
    manageable: canManage(incident),
    statusChosen: isKnown(SETTABLE_STATUSES, incident.status) ? incident.status : '',
    statuses: SETTABLE_STATUSES,
    verdictNow: verdictOf(snapshot),
    determinations: DETERMINATIONS,
  };
}

/** Everything the queue template shows for one view, from the analyst's index. */
export async function loadQueueView(sync: IndexSync, account: SessionAccount, filter: QueueFilter, targets: SlaTargets, mine: QueueSettings) {
  const fresh = await sync.freshness(account);
  // Nothing to show yet and the first fill failed for a reason the analyst must act on (a role, a
  // consent, a sign-in): the page explains it like any API error. A passing one (the budget,
  // throttling, Microsoft slow) shows the empty queue with when reading resumes instead.
  if (fresh.firstFillFailure !== undefined && !passing(fresh.firstFillFailure)) throw fresh.firstFillFailure;
  const now = sync.now();
  const part = sync.indexOf(account);
  const q = indexQueryOf(filter, now, targets);
  const { page, counts } = await part.view(q, fresh.dataVersion);
  const [queueSince, opened] = await Promise.all([part.recordVisit('', new Date(now)), part.openedAt(page.rows.map((r) => r.id))]);
  const pages = Math.max(1, Math.ceil(page.total / filter.size));
  const query = serializeFilter(filter);
  const sortHref = (sort: Sort) => href({ ...filter, sort, dir: filter.sort === sort && filter.dir === 'desc' ? 'asc' : 'desc', page: 1 });
  const myViews = analystViews(mine.settings, filter, mine.baseUrl);
  const preview = mine.previewId === undefined ? undefined : await previewOf(sync, account, mine.previewId, filter);
  const ownName = myViews.find((v) => v.active)?.name;
  return {
    title: queueTitle(filter, ownName ?? mine.sharedName),
    filter,
    query,
    rows: page.rows.map((r) => ({ ...r, sla: slaOf(r, targets, now), mark: queueMark(r, opened.get(r.id), queueSince) })),
    total: page.total,
    page: filter.page,
    pages,
    prevHref: filter.page > 1 ? href({ ...filter, page: Math.min(filter.page - 1, pages) }) : undefined,
    nextHref: filter.page < pages ? href({ ...filter, page: filter.page + 1 }) : undefined,
    sizeHref: (size: QueueFilter['size']) => href({ ...filter, size, page: 1 }),
    sortHref,
    counts,
    chart: summaryChart(counts, filter.severity),
    fresh,
    age: fresh.asOf === null ? undefined : ageText(fresh.asOf, now),
    gap: backfillGap(filter, fresh, now),
    savedViews: SAVED_VIEWS.map((v) => ({ name: t(v.key), query: v.query })),
    activeView: ownName === undefined ? viewOf(filter)?.query : undefined,
    myViews,
    sharedName: ownName === undefined ? mine.sharedName : undefined,
    chips: filterChips(filter),
    preview,
    columnMoves: columnMoves(filter),
    columnNames: EXTRA_COLUMN_NAMES,
    columnsSaved: mine.settings.columns !== null && mine.settings.columns.join() === filter.more.join(),
    serviceSources: SERVICE_SOURCES,
    detectionSources: DETECTION_SOURCES,
    statuses: STATUSES,
    severities: SEVERITIES,
    classifications: CLASSIFICATIONS,
    determinations: ALL_DETERMINATIONS,
    labels,
    inputDateTime,
  };
}

/** Streams every incident the filter matches as CSV, in the chosen sort, a chunk at a time. */
export async function* queueCsv(sync: IndexSync, account: SessionAccount, filter: QueueFilter, targets: SlaTargets): AsyncGenerator<string> {
  const part = sync.indexOf(account);
  const q = indexQueryOf(filter, Date.now(), targets);
  yield csvHeader();
  for (let page = 1; ; page++) {
    const { rows } = await part.query({ ...q, page, pageSize: CSV_CHUNK });
    for (const row of rows) yield csvRow(row, account.tenantId);
    if (rows.length < CSV_CHUNK) return;
  }
}
