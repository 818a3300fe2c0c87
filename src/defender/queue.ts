import { buildODataFilter, matchesAppSide, severityOf, SEVERITIES, STATUSES, type QueueFilter, type Severity } from './queueFilter';
import type { Incident } from './types';

/** The API's page limit (service-facts §1.2). */
export const API_PAGE = 100;

/**
 * Where a listing continues: below lastUpdateTime `t`, after the `k` rows at exactly `t` already read.
 * Keyset paging on the API's newest-update-first order: an incident updated meanwhile moves to the top
 * instead of shifting every later page (which $skip alone would do, skipping or repeating rows).
 */
export interface Cursor {
  t: string;
  k: number;
}

const API_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,7})?Z$/;

export function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify([c.t, c.k])).toString('base64url');
}

/** Parses a cursor from the query string; anything malformed is refused rather than guessed. */
export function decodeCursor(raw: unknown): Cursor | undefined {
  if (typeof raw !== 'string' || raw.length > 100) return undefined;
  try {
    const [t, k] = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as unknown[];
    if (typeof t === 'string' && API_TIME.test(t) && Number.isInteger(k) && (k as number) >= 0 && (k as number) < 1_000_000) return { t, k: k as number };
  } catch {
    // fall through
  }
  return undefined;
}

export interface QueueCounts {
  /** Incidents matching everything but severity, by severity: hidden severities are counted too. */
  bySeverity: Record<Severity, number>;
  /** Shown incidents by status. */
  byStatus: Record<string, number>;
  /** Redirected incidents are counted here only, never in the totals above (they are duplicates). */
  merged: number;
}

export interface QueuePage {
  rows: Incident[];
  /** Continue from here; absent when the listing reached its end. */
  next?: Cursor;
  /** The upstream-call budget ran out before the page filled or the list ended. */
  partial: boolean;
  examined: number;
  calls: number;
  counts: QueueCounts;
}

export type FetchIncidents = (filter: string | undefined, top: number, skip: number) => Promise<Incident[]>;

/**
 * Reads API pages until `pageSize` incidents pass the app-side filters, the list ends, or `budget`
 * API calls were made. Never skips or repeats: the cursor points just after the last row examined
 * for the page (or shown, when the page filled mid-batch).
 */
export async function loadQueue(
  fetch: FetchIncidents,
  filter: QueueFilter,
  ctx: { upn: string; now: number },
  from: Cursor | undefined,
  options: { pageSize: number; budget: number },
): Promise<QueuePage> {
  const rows: Incident[] = [];
  const counts: QueueCounts = {
    bySeverity: Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>,
    byStatus: Object.fromEntries(STATUSES.map((s) => [s, 0])),
    merged: 0,
  };
  let pos: Cursor | undefined = from && { ...from };
  let examined = 0;
  let calls = 0;
  let ended = false;

  while (rows.length < options.pageSize && calls < options.budget) {
    const odata = buildODataFilter(filter, { ...ctx, before: pos?.t });
    const batch = await fetch(odata, API_PAGE, pos?.k ?? 0);
    calls++;
    let consumed = 0;
    for (const incident of batch) {
      consumed++;
      examined++;
      pos = pos && incident.lastUpdateTime === pos.t ? { t: pos.t, k: pos.k + 1 } : { t: incident.lastUpdateTime, k: 1 };
      if (!matchesAppSide(incident, filter)) continue;
      if (incident.status === 'Redirected') counts.merged++;
      else counts.bySeverity[severityOf(incident)]++;
      if (!filter.severity.includes(severityOf(incident))) continue;
      if (incident.status !== 'Redirected') counts.byStatus[incident.status] = (counts.byStatus[incident.status] ?? 0) + 1;
      rows.push(incident);
      if (rows.length === options.pageSize) break;
    }
    if (batch.length < API_PAGE && consumed === batch.length) {
      ended = true;
      break;
    }
  }
  return {
    rows,
    next: ended ? undefined : pos,
    partial: !ended && rows.length < options.pageSize,
    examined,
    calls,
    counts,
  };
}

const SEVERITY_RANK: Record<Severity, number> = { High: 0, Medium: 1, Low: 2, Informational: 3, UnSpecified: 4 };

/** Re-sorts the loaded rows only (the API sorts by last update; other orders cannot span pages). */
export function sortRows(rows: Incident[], sort: QueueFilter['sort']): Incident[] {
  if (sort === 'severity') return [...rows].sort((a, b) => SEVERITY_RANK[severityOf(a)] - SEVERITY_RANK[severityOf(b)]);
  if (sort === 'created') return [...rows].sort((a, b) => b.createdTime.localeCompare(a.createdTime));
  return rows;
}
