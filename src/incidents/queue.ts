import type { Incident, Severity } from './model';
import { matchesAppSide, severityOf, SEVERITIES, STATUSES, type QueueFilter } from './queueFilter';
import type { ListContext, ListPage } from './sources/source';

/** A continuation link travels in the queue's address; it is opaque to the analyst and checked on use. */
export function encodeCursor(continuation: string): string {
  return Buffer.from(continuation, 'utf8').toString('base64url');
}

/** Reads a cursor from the query string; anything malformed is refused rather than guessed. */
export function decodeCursor(raw: unknown): string | undefined {
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > 4000 || !/^[A-Za-z0-9_-]+$/.test(raw)) return undefined;
  const text = Buffer.from(raw, 'base64url').toString('utf8');
  // Only what an adapter hands out: a link under the API's base, or the legacy "skip:N".
  return /^(skip:\d{1,9}|https:\/\/[^\s]+)$/.test(text) ? text : undefined;
}

export interface QueueCounts {
  /** Incidents matching everything but severity, by severity: hidden severities are counted too. */
  bySeverity: Record<Severity, number>;
  /** Shown incidents by status. */
  byStatus: Record<string, number>;
  /** Merged incidents are counted here only, never in the totals above (they are duplicates). */
  merged: number;
}

export interface QueueBatch {
  /** The matching incidents read for this view, sorted by the app (the API promises no order). */
  rows: Incident[];
  counts: QueueCounts;
  /** Incidents read from the API for this view. */
  examined: number;
  /** Items the API sent that did not fit the model. */
  skipped: number;
  calls: number;
  /** Where the listing continues upstream; absent once the API said it ended. */
  next?: string;
  /** The API's own count of incidents matching its part of the filter, when it gives one. */
  total?: number;
  /** The call budget ran out before the view filled and before the listing ended. */
  partial: boolean;
}

export type ListPages = (continuation: string | undefined) => Promise<ListPage>;

/**
 * Reads whole API pages, following only the continuation each answer gives, until `pageSize`
 * incidents matched, the listing ended, or `budget` calls were spent. Every incident is read exactly
 * once across views, whatever order or page size the API uses, because views continue where the
 * previous one stopped reading, never where it stopped showing.
 */
export async function readQueue(list: ListPages, filter: QueueFilter, ctx: ListContext, from: string | undefined, options: { pageSize: number; budget: number }): Promise<QueueBatch> {
  const rows: Incident[] = [];
  const counts: QueueCounts = {
    bySeverity: Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>,
    byStatus: Object.fromEntries(STATUSES.map((s) => [s, 0])),
    merged: 0,
  };
  let continuation = from;
  let examined = 0;
  let skipped = 0;
  let calls = 0;
  let total: number | undefined;
  let ended = false;
  while (rows.length < options.pageSize && calls < options.budget) {
    const page = await list(continuation);
    calls++;
    examined += page.incidents.length;
    skipped += page.skipped;
    total ??= page.total;
    for (const incident of page.incidents) {
      if (!matchesAppSide(incident, filter, ctx)) continue;
      if (incident.status === 'redirected') counts.merged++;
      else counts.bySeverity[severityOf(incident)]++;
      if (!filter.severity.includes(severityOf(incident))) continue;
      if (incident.status !== 'redirected') counts.byStatus[incident.status] = (counts.byStatus[incident.status] ?? 0) + 1;
      rows.push(incident);
    }
    continuation = page.next;
    if (continuation === undefined) {
      ended = true;
      break;
    }
  }
  return { rows: sortRows(rows, filter.sort), counts, examined, skipped, calls, next: ended ? undefined : continuation, total, partial: !ended && rows.length < options.pageSize };
}

const SEVERITY_RANK: Record<Severity, number> = { high: 0, medium: 1, low: 2, informational: 3, unknown: 4 };
const byId = (a: Incident, b: Incident) => a.id.localeCompare(b.id, 'en', { numeric: true });

/** Sorts the rows read for a view; ties fall back to the id, so the order is the same on every load. */
export function sortRows(rows: Incident[], sort: QueueFilter['sort']): Incident[] {
  const sorted = [...rows];
  if (sort === 'severity') return sorted.sort((a, b) => SEVERITY_RANK[severityOf(a)] - SEVERITY_RANK[severityOf(b)] || b.lastUpdateAt.localeCompare(a.lastUpdateAt) || byId(a, b));
  if (sort === 'created') return sorted.sort((a, b) => (b.createdAt ?? '').localeCompare(a.createdAt ?? '') || byId(a, b));
  return sorted.sort((a, b) => b.lastUpdateAt.localeCompare(a.lastUpdateAt) || byId(a, b));
}
