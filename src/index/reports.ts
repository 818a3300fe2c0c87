import { sql } from 'kysely';
import { iso, isoOrNull, type Db, type Partition } from './values';

/**
 * What the handover page and the "since your last visit" markers read of one partition: recent
 * history, new incidents, who holds what, visits. Never documents.
 */

/** A recorded change of one of the fields a shift hands over, with the incident it concerns. */
export interface RecentChange {
  incidentId: string;
  displayName: string;
  severity: string;
  field: 'created' | 'status' | 'severity' | 'assignedTo';
  oldValue: string | null;
  newValue: string | null;
  observedAt: string;
  changedBy: string | null;
}

const text = (json: string | null) => {
  if (json === null) return null;
  const v = JSON.parse(json) as unknown;
  return typeof v === 'string' ? v : null;
};

/** Changes of status, severity and assignee recorded at or after `since`, oldest first. */
export async function changesSince(db: Db, part: Partition, since: Date): Promise<RecentChange[]> {
  const rows = await db
    .selectFrom('incident_history as h')
    .innerJoin('incidents as i', (j) => j.onRef('i.tenant_id', '=', 'h.tenant_id').onRef('i.analyst_oid', '=', 'h.analyst_oid').onRef('i.id', '=', 'h.incident_id'))
    .select(['h.incident_id', 'i.display_name', 'i.severity', 'h.field', 'h.old_value', 'h.new_value', 'h.observed_at', 'h.changed_by'])
    .where('h.tenant_id', '=', part.tenantId)
    .where('h.analyst_oid', '=', part.oid)
    .where('h.observed_at', '>=', since)
    .where('h.field', 'in', ['created', 'status', 'severity', 'assignedTo'])
    .orderBy('h.observed_at')
    .orderBy('h.history_id')
    .execute();
  return rows.map((r) => ({
    incidentId: r.incident_id,
    displayName: r.display_name,
    severity: r.severity,
    field: r.field as RecentChange['field'],
    oldValue: text(r.old_value),
    newValue: text(r.new_value),
    observedAt: iso(r.observed_at),
    changedBy: r.changed_by,
  }));
}

/** An incident created at or after `since` (newest first). */
export interface NewIncident {
  id: string;
  displayName: string;
  severity: string;
  status: string;
  assignedTo: string;
  createdAt: string;
}

export async function createdSince(db: Db, part: Partition, since: Date): Promise<NewIncident[]> {
  const rows = await db
    .selectFrom('incidents')
    .select(['id', 'display_name', 'severity', 'status', 'assigned_to', 'created_at'])
    .where(part.mine)
    .where('created_at', '>=', since)
    .where('status', '<>', 'redirected')
    .orderBy('created_at', 'desc')
    .orderBy('id')
    .execute();
  return rows.map((r) => ({ id: r.id, displayName: r.display_name, severity: r.severity, status: r.status, assignedTo: r.assigned_to, createdAt: iso(r.created_at ?? new Date(0)) }));
}

/** Open incidents per assignee ('' for unassigned) and severity. */
export async function holdings(db: Db, part: Partition, openStatuses: readonly string[]): Promise<{ assignedTo: string; severity: string; n: number }[]> {
  const rows = await db
    .selectFrom('incidents')
    .select((eb) => ['assigned_to', 'severity', eb.fn.countAll<number>().as('n')])
    .where(part.mine)
    .where('status', 'in', [...openStatuses])
    .groupBy(['assigned_to', 'severity'])
    .execute();
  return rows.map((r) => ({ assignedTo: r.assigned_to, severity: r.severity, n: Number(r.n) }));
}

/** A visit of the queue: a new one after half an hour away, whose markers compare with the one before. */
const QUEUE_VISIT_GAP = "interval '30 minutes'";

/**
 * Records a visit now and returns the one before it (ISO, null on the first): of the queue
 * (incidentId '') as a visit of at least half an hour apart from the last, so that paging and
 * filtering keep the markers; of an incident, its last opening.
 */
export async function recordVisit(db: Db, part: Partition, incidentId: string, now: Date): Promise<string | null> {
  const previous =
    incidentId === ''
      ? sql<Date | null>`case when visits.visited_at < ${now}::timestamptz - ${sql.raw(QUEUE_VISIT_GAP)} then visits.visited_at else visits.previous_at end`
      : sql<Date | null>`visits.visited_at`;
  const row = await db
    .insertInto('visits')
    .values({ ...part.row, incident_id: incidentId, visited_at: now, previous_at: null })
    .onConflict((oc) => oc.columns(['tenant_id', 'analyst_oid', 'incident_id']).doUpdateSet({ previous_at: previous, visited_at: now }))
    .returning('previous_at')
    .executeTakeFirstOrThrow();
  return isoOrNull(row.previous_at);
}

/** When each of `ids` was last opened by the analyst. */
export async function openedAt(db: Db, part: Partition, ids: string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom('visits').select(['incident_id', 'visited_at']).where(part.mine).where('incident_id', 'in', ids).execute();
  return new Map(rows.map((r) => [r.incident_id, iso(r.visited_at)]));
}
