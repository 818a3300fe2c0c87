import type { IndexQuery, SortColumn } from '../index/incidentIndex';
import type { SlaTargets } from './sla';
import { windowBounds, type QueueFilter, type Sort } from './queueFilter';

const COLUMN: Record<Sort, SortColumn> = {
  updated: 'lastUpdateAt',
  created: 'createdAt',
  severity: 'severity',
  id: 'id',
  name: 'displayName',
  status: 'status',
  assignee: 'assignedTo',
  classification: 'classification',
  determination: 'determination',
};

/** The queue filter as a query of the analyst's index: every filter, sort and page applies to the whole result. */
export function indexQueryOf(f: QueueFilter, now: number, targets: SlaTargets): IndexQuery {
  // A relative window (and the SLA clocks) starts on a whole minute: the same view asked again
  // within the minute is the same query, which the index answers from its cache.
  const minute = Math.floor(now / 60_000) * 60_000;
  const { from, to } = windowBounds(f, minute);
  return {
    status: f.status,
    severity: f.severity,
    classification: f.classification,
    determination: f.determination,
    assignee: f.assignee,
    tag: f.tag,
    serviceSource: f.source,
    detectionSource: f.detectionSource,
    category: f.category,
    deviceGroup: f.deviceGroup,
    from,
    to,
    search: f.q,
    sla: f.sla === undefined ? undefined : { state: f.sla, at: new Date(minute).toISOString(), targets },
    unassignedBefore: f.unassigned === undefined ? undefined : new Date(minute - f.unassigned * 3_600_000).toISOString(),
    sort: { column: COLUMN[f.sort], direction: f.dir },
    page: f.page,
    pageSize: f.size,
  };
}
