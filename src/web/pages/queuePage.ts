import type { SessionAccount } from '../../auth/tokenService';
import type { SecurityApi } from '../../config/config';
import type { RunAsAnalyst } from '../../incidents/access';
import { csvOf } from '../../incidents/csv';
import { labels } from '../../incidents/labels';
import { decodeCursor, encodeCursor, readQueue, type QueueBatch } from '../../incidents/queue';
import { FilterError, parseFilter, SAVED_VIEWS, serializeFilter, SEVERITIES, STATUSES, type QueueFilter } from '../../incidents/queueFilter';
import { incidentStats, portalLink } from '../../incidents/view';
import { InvalidInputError } from '../inputErrors';
import { summaryChart } from '../summaryChart';

const PAGE_SIZE = 50;
const CSV_MAX_ROWS = 5_000;

export interface QueueRequest {
  filter: QueueFilter;
  /** Where the upstream listing continues, for a "keep reading" view. */
  cursor?: string;
}

/** Reads the queue's filter (and continuation) from the query string; anything invalid is an InvalidInputError. */
export function parseQueueRequest(query: Record<string, unknown>): QueueRequest {
  let filter: QueueFilter;
  try {
    filter = parseFilter(query);
  } catch (err) {
    if (err instanceof FilterError) throw new InvalidInputError('filter', err.message, '/incidents');
    throw err;
  }
  if (query.after === undefined) return { filter };
  const cursor = decodeCursor(query.after);
  if (!cursor) throw new InvalidInputError('cursor', 'The “continue” link was changed or cut short.', `/incidents?${serializeFilter(filter)}`);
  return { filter, cursor };
}

/** The queue string an incident page links back to: re-serialized, never echoed as given. */
export function backQuery(raw: unknown): string {
  if (typeof raw !== 'string' || raw.length > 1000) return '';
  try {
    const query: Record<string, string[]> = {};
    // Repeated keys (status=active&status=resolved) must all survive, so no Object.fromEntries here.
    for (const [k, v] of new URLSearchParams(raw)) (query[k] ??= []).push(v);
    return serializeFilter(parseFilter(query));
  } catch {
    return '';
  }
}

function read(run: RunAsAnalyst, account: SessionAccount, request: QueueRequest, pageSize: number, budget: number): Promise<QueueBatch> {
  const ctx = { upn: account.username, now: Date.now() };
  return run('read', (source, token) => readQueue((continuation) => source.list(token, request.filter, ctx, continuation), request.filter, ctx, request.cursor, { pageSize, budget }));
}

/**
 * Graph lists incidents without their alerts (expanding them on lists fails on large tenants), so
 * the service-source filter, which reads the alerts, works on the legacy API only for now.
 */
const sourceFilterWorks = (api: SecurityApi) => api === 'defender';

/** Everything the queue template shows for one view. */
export async function loadQueueView(run: RunAsAnalyst, account: SessionAccount, asked: QueueRequest, budget: number, api: SecurityApi) {
  const sourceIgnored = asked.filter.source !== undefined && !sourceFilterWorks(api);
  const request = sourceIgnored ? { ...asked, filter: { ...asked.filter, source: undefined } } : asked;
  const batch = await read(run, account, request, PAGE_SIZE, budget);
  const query = serializeFilter(request.filter);
  return {
    title: 'Incidents',
    filter: request.filter,
    sourceFilter: sourceFilterWorks(api),
    sourceIgnored,
    query,
    batch,
    rows: batch.rows,
    nextHref: batch.next ? `/incidents?${query ? `${query}&` : ''}after=${encodeCursor(batch.next)}` : undefined,
    continued: Boolean(request.cursor),
    chart: summaryChart(batch.counts, request.filter.severity),
    savedViews: SAVED_VIEWS,
    statuses: STATUSES,
    severities: SEVERITIES,
    tenantId: account.tenantId,
    labels,
    portalLink,
    incidentStats,
  };
}

/** The CSV export of a queue filter: every matching row read within the budget, and whether it stopped early. */
export async function exportQueueCsv(run: RunAsAnalyst, account: SessionAccount, request: QueueRequest, budget: number): Promise<{ csv: string; partial?: string }> {
  const batch = await read(run, account, { filter: request.filter }, CSV_MAX_ROWS, budget);
  return {
    csv: csvOf(batch.rows, account.tenantId, batch.next ? batch.examined : undefined),
    partial: batch.next ? `examined ${batch.examined}; more incidents match` : undefined,
  };
}
