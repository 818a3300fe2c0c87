import type { ColumnType, Generated, GeneratedAlways } from 'kysely';
import type { Incident } from '../incidents/model';
import type { QueueRow } from '../incidents/view';

/**
 * The incident index's tables as Kysely sees them (migrations.ts creates them). Every table's
 * primary key starts with (tenant_id, analyst_oid): each analyst's copy of what they may see is a
 * partition of its own, and the repository (incidentIndex.ts) never queries across partitions.
 */

/** Read back as a Date (pg and PGlite both parse timestamptz); written as a Date or an ISO string. */
type Timestamp = ColumnType<Date, Date | string, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null, Date | string | null>;

interface Partition {
  tenant_id: string;
  analyst_oid: string;
}

export interface IncidentsTable extends Partition {
  id: string;
  status: string;
  severity: string;
  /** high 4 … informational 1, unknown or anything else 0: sorts by severity without a CASE per query. */
  severity_rank: GeneratedAlways<number>;
  classification: string;
  determination: string;
  /** Lower-cased, empty when unassigned. */
  assigned_to: string;
  display_name: string;
  /** lower(display_name), which search matches. */
  display_name_lower: GeneratedAlways<string>;
  created_at: NullableTimestamp;
  last_update_at: Timestamp;
  redirect_incident_id: string | null;
  custom_tags: string[];
  system_tags: string[];
  service_sources: string[];
  detection_sources: string[];
  categories: string[];
  device_groups: string[];
  /** When ThreatDesk last read this incident from the API. */
  seen_at: Timestamp;
  /** The incident changed since its alerts were read: the incident page reads them again. */
  alerts_stale: Generated<boolean>;
  /** Unassigned since (its creation, or the version that unassigned it); null while assigned (migration 006). */
  unassigned_since: NullableTimestamp;
  /** When it was resolved (the version that resolved it); null while not resolved. */
  resolved_at: NullableTimestamp;
  /** When it was first assigned or moved off Active (migration 009); null until then. */
  acknowledged_at: NullableTimestamp;
  /** acknowledged_at (resolved_at) is an estimate: the index first read the incident already so. */
  ack_estimated: Generated<boolean>;
  resolved_estimated: Generated<boolean>;
}

/** Apart from the columns the queue scans, so that its scans stay narrow (migration 003). */
export interface IncidentDocsTable extends Partition {
  id: string;
  /** The whole incident, exactly as the model holds it. Written as JSON text. */
  doc: ColumnType<Incident, string, string>;
  /** What the queue and the CSV show of it (queueRowOf), so that they never read the whole document (migration 004). */
  queue_row: ColumnType<QueueRow, string, string>;
}

export interface IncidentEntitiesTable extends Partition {
  incident_id: string;
  /** user, device, ip, url, file, sha256, sha1, mailbox */
  kind: string;
  /** Normalised: trimmed and lower-cased. */
  value: string;
}

export interface IncidentCommentsTable extends Partition {
  incident_id: string;
  /** Position in the incident's comment list, from 0. */
  seq: number;
  text: string;
  author: string | null;
  created_at: NullableTimestamp;
}

export interface IncidentHistoryTable extends Partition {
  incident_id: string;
  /** Orders rows observed at the same instant; not exposed. */
  history_id: Generated<string>;
  /** A field name of the model (status, assignedTo, …) or 'created'. */
  field: string;
  /** JSON text of the value (a string, an array or null), so that lists compare and show exactly. */
  old_value: string | null;
  new_value: string | null;
  observed_at: Timestamp;
  /** Who, when the change was made through ThreatDesk; null when observed in the API. */
  changed_by: string | null;
}

export interface SyncStateTable extends Partition {
  /** The highest lastUpdateDateTime read so far, for delta syncs. */
  watermark: NullableTimestamp;
  last_delta_at: NullableTimestamp;
  last_reconcile_at: NullableTimestamp;
  last_backfill_at: NullableTimestamp;
  /** Where a backfill resumes (an opaque continuation, e.g. a nextLink); null when none is under way. */
  backfill_cursor: string | null;
  backfill_done: Generated<boolean>;
  /** Incidents read by the backfill so far. */
  backfill_count: Generated<number>;
  /** When the analyst last used ThreatDesk: idle partitions are purged. */
  last_seen_at: Timestamp;
  /** The sync holding the partition (one at a time, across instances) and until when. */
  lease_owner: string | null;
  lease_until: NullableTimestamp;
  /** Why the last sync stopped short, in words an analyst can read; null after a good one. */
  last_error: string | null;
  /** The fill step under way: open, recent, older, done. */
  backfill_phase: Generated<string>;
  /** Changes (from the sequence index_data_version) with every write of the partition's incidents (migration 005). */
  data_version: Generated<string>;
}

/** A bulk job (migration 007): one change, applied to many incidents by the job runner. */
export interface BulkJobsTable extends Partition {
  id: string;
  /** Who the job acts as (their token cache serves its calls): a SessionAccount without its sign-in session. */
  account: ColumnType<unknown, string, string>;
  /** The change (BulkAction). */
  action: ColumnType<unknown, string, string>;
  /** The queue view it was started from (a serialized filter), to go back to. */
  view: string;
  /** running, paused (needs the analyst), done, cancelled. */
  state: string;
  /** Why it waits or stopped, in words. */
  note: string | null;
  total: number;
  /** Times it waited for the tenant's budget, and Microsoft's 429 answers it met. */
  budget_waits: Generated<number>;
  throttled: Generated<number>;
  /** Changes made in Microsoft since this instant are looked for before a write (the conflict check). */
  checked_from: Timestamp;
  /** When that check last ran; null before the first. */
  checked_at: NullableTimestamp;
  /** Not to run before (a budget wait, Microsoft's Retry-After). */
  next_at: Timestamp;
  lease_owner: string | null;
  lease_until: NullableTimestamp;
  created_at: Timestamp;
  finished_at: NullableTimestamp;
}

export interface BulkJobItemsTable extends Partition {
  job_id: string;
  seq: number;
  incident_id: string;
  display_name: string;
  /** The incident's lastUpdateDateTime when it was selected, exactly as Microsoft wrote it: changed since, it is skipped. */
  base: string;
  /** The values the analyst saw (a Snapshot), to say what changed meanwhile. */
  seen: ColumnType<unknown, string, string>;
  /** pending, done, skipped, failed. */
  state: string;
  /** 'updated' once the change is stored and only the comment remains. */
  stage: string | null;
  attempts: Generated<number>;
  /** What happened, in words. */
  result: string | null;
  done_at: NullableTimestamp;
}

/** An analyst's queue settings (migration 008). */
export interface AnalystSettingsTable extends Partition {
  /** Extra columns in the order chosen (ExtraColumn[]); null until the analyst saves some. */
  columns: ColumnType<unknown, string | null, string | null>;
  /** Their saved views ({ name, query }[]). */
  views: ColumnType<unknown, string, string>;
  /** The language and time zone the analyst chose (migration 011); null: taken from the browser. */
  language: string | null;
  time_zone: string | null;
  updated_at: Timestamp;
}

/** A note one shift leaves the next (migration 009): per tenant, read by all its analysts. */
export interface ShiftNotesTable {
  tenant_id: string;
  id: string;
  /** The author's sign-in name. */
  author: string;
  text: string;
  created_at: Timestamp;
}

/** An analyst's visits: of the queue (incident_id '') and of each incident (migration 009). */
export interface VisitsTable extends Partition {
  incident_id: string;
  visited_at: Timestamp;
  /** The queue's visit before this one (what its markers compare with); unused for incidents. */
  previous_at: NullableTimestamp;
}

/** A saved hunting query (migration 010): the analyst's own, read by the whole tenant when shared. */
export interface HuntingQueriesTable extends Partition {
  id: string;
  /** The sign-in name of the analyst who saved it, as others see it. */
  author: string;
  name: string;
  description: string;
  query: string;
  /** The time range it was saved with (a preset's key, or 'custom'). */
  range: string;
  shared: boolean;
  updated_at: Timestamp;
}

export interface IndexDatabase {
  incidents: IncidentsTable;
  incident_docs: IncidentDocsTable;
  incident_entities: IncidentEntitiesTable;
  incident_comments: IncidentCommentsTable;
  incident_history: IncidentHistoryTable;
  sync_state: SyncStateTable;
  bulk_jobs: BulkJobsTable;
  bulk_job_items: BulkJobItemsTable;
  analyst_settings: AnalystSettingsTable;
  shift_notes: ShiftNotesTable;
  visits: VisitsTable;
  hunting_queries: HuntingQueriesTable;
}
