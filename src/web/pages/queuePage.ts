import { PERMISSIONS } from '../../auth/scopes';
import type { SessionAccount } from '../../auth/tokenService';
import type { RunAsAnalyst } from '../../defender/access';
import { portalLink } from '../../defender/incidentView';
import { decodeCursor, encodeCursor, loadQueue, sortRows, type Cursor, type QueuePage } from '../../defender/queue';
import { FilterError, parseFilter, SAVED_VIEWS, serializeFilter, SEVERITIES, STATUSES, type QueueFilter } from '../../defender/queueFilter';
import { csvOf, incidentStats } from '../csv';
import { InvalidInputError } from '../inputErrors';
import { summaryChart } from '../summaryChart';

const PAGE_SIZE = 50;
const CSV_MAX_ROWS = 5_000;

export interface QueueRequest {
  filter: QueueFilter;
  cursor?: Cursor;
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
    // Repeated keys (status=Active&status=Resolved) must all survive, so no Object.fromEntries here.
    for (const [k, v] of new URLSearchParams(raw)) (query[k] ??= []).push(v);
    return serializeFilter(parseFilter(query));
  } catch {
    return '';
  }
}

function readQueue(run: RunAsAnalyst, account: SessionAccount, request: QueueRequest, pageSize: number, budget: number): Promise<QueuePage> {
  return run(PERMISSIONS.read, (client, token) =>
    loadQueue((odata, top, skip) => client.listIncidents(token, { filter: odata, top, skip }), request.filter, { upn: account.username, now: Date.now() }, request.cursor, { pageSize, budget }),
  );
}

/** Everything the queue template shows for one view. */
export async function loadQueueView(run: RunAsAnalyst, account: SessionAccount, request: QueueRequest, budget: number) {
  const page = await readQueue(run, account, request, PAGE_SIZE, budget);
  const query = serializeFilter(request.filter);
  return {
    title: 'Incidents',
    filter: request.filter,
    query,
    page,
    rows: sortRows(page.rows, request.filter.sort),
    nextHref: page.next ? `/incidents?${query ? `${query}&` : ''}after=${encodeCursor(page.next)}` : undefined,
    continued: Boolean(request.cursor),
    chart: summaryChart(page.counts, request.filter.severity),
    savedViews: SAVED_VIEWS,
    statuses: STATUSES,
    severities: SEVERITIES,
    tenantId: account.tenantId,
    portalLink,
    incidentStats,
  };
}

/** The CSV export of a queue view: its rows, and whether the call budget stopped it early. */
export async function exportQueueCsv(run: RunAsAnalyst, account: SessionAccount, request: QueueRequest, budget: number): Promise<{ csv: string; partial?: string }> {
  const page = await readQueue(run, account, { filter: request.filter }, CSV_MAX_ROWS, budget);
  return {
    csv: csvOf(page.rows, account.tenantId, page.next ? page.examined : undefined),
    partial: page.next ? `examined ${page.examined}; more incidents match` : undefined,
  };
}
