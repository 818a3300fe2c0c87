import type { Incident } from '../incidents/model';
import type { SlaTargets } from '../incidents/sla';
import type { QueueRow } from '../incidents/view';
import type { Assignee } from '../incidents/queueFilter';

/** What the index's callers pass and get back. */

export interface AnalystKey {
  tenantId: string;
  /** The analyst's Entra object id. */
  oid: string;
  /** The analyst's sign-in name, which assignments use: needed only for the assignee=me filter. */
  username?: string;
}

/** Fields whose every change is recorded in history. */
export const HISTORY_FIELDS = ['status', 'severity', 'assignedTo', 'classification', 'determination', 'customTags', 'displayName', 'redirectIncidentId'] as const;
export type HistoryField = (typeof HISTORY_FIELDS)[number];

export const SORT_COLUMNS = ['id', 'displayName', 'status', 'severity', 'classification', 'determination', 'assignedTo', 'createdAt', 'lastUpdateAt'] as const;
export type SortColumn = (typeof SORT_COLUMNS)[number];

export const MAX_PAGE_SIZE = 500;

export interface IndexQuery {
  /** Each list filter matches any of its members; absent or empty means no filter. */
  status?: string[];
  severity?: string[];
  classification?: string[];
  determination?: string[];
  assignee?: Assignee;
  tag?: string;
  serviceSource?: string;
  detectionSource?: string;
  category?: string;
  deviceGroup?: string;
  /** Bounds on the last update, both inclusive (ISO date-times or Dates). */
  from?: string | Date;
  to?: string | Date;
  /** Free text: an incident id, part of the name, or an entity (a user, device, address, file, hash, URL…; equal or starting with). */
  search?: string;
  /** Open incidents past an SLA target at `at` (overdue), or in a target's last quarter and not past any (soon). */
  sla?: { state: 'overdue' | 'soon'; at: string; targets: SlaTargets };
  /** Unassigned since this instant or before (still unassigned). */
  unassignedBefore?: string | Date;
  /** Only these incidents (a bulk selection). */
  ids?: string[];
  /** lastUpdateAt descending by default; ties are broken by id. */
  sort?: { column: SortColumn; direction: 'asc' | 'desc' };
  /** From 1. */
  page?: number;
  pageSize?: number;
}

/** A queue row with what only the index knows: since when the incident has been unassigned. */
export interface IndexRow extends QueueRow {
  unassignedSince: string | null;
}

export interface IndexPage {
  rows: IndexRow[];
  /** Every incident the filters match, whatever the page. */
  total: number;
  page: number;
  pageSize: number;
}

export interface HistoryEntry {
  incidentId: string;
  /** A field of HISTORY_FIELDS, or 'created' for the first time the index saw the incident. */
  field: HistoryField | 'created';
  oldValue: string | string[] | null;
  newValue: string | string[] | null;
  observedAt: string;
  changedBy: string | null;
}

export interface SyncState {
  watermark: string | null;
  lastDeltaAt: string | null;
  lastReconcileAt: string | null;
  lastBackfillAt: string | null;
  backfillCursor: string | null;
  /** The fill step under way (open incidents, the last 30 days, older ones back to 6 months), or done. */
  backfillPhase: BackfillPhase;
  backfillDone: boolean;
  backfillCount: number;
  lastSeenAt: string;
  /** Why the last sync stopped short, in plain words; null after a good one. */
  lastError: string | null;
  /** Changes with every write of the partition's incidents (read only: the index keeps it). */
  dataVersion: string;
}

export const BACKFILL_PHASES = ['open', 'recent', 'older', 'done'] as const;
export type BackfillPhase = (typeof BACKFILL_PHASES)[number];

/** One analyst's sync state as the status page shows it: no incident data. */
export interface PartitionStatus extends SyncState {
  oid: string;
  incidents: number;
  leaseUntil: string | null;
}

/** The queue's counts over the whole filtered set. */
export interface IndexCounts {
  /** Matching incidents by severity, whatever the severity filter (merged ones excluded). */
  bySeverity: Record<string, number>;
  /** Matching incidents by status (merged ones excluded). */
  byStatus: Record<string, number>;
  /** Merged incidents matching the filter: duplicates, counted only here. */
  merged: number;
}

/** An incident as stored, with what the incident page needs to know about its freshness. */
export interface IndexEntry {
  incident: Incident;
  /** Its alerts were read with the version stored (false: never read, or the incident changed since). */
  alertsCurrent: boolean;
  seenAt: string;
}

/** When the index saw an incident first acknowledged and resolved (ISO), and whether each is an estimate. */
export interface IncidentClocks {
  acknowledgedAt: string | null;
  ackEstimated: boolean;
  resolvedAt: string | null;
  resolvedEstimated: boolean;
}

export interface UpsertResult {
  created: number;
  /** Incidents at least one of whose HISTORY_FIELDS changed. */
  changed: number;
}
