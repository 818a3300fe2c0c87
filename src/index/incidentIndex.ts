import { sql, type MigrationResultSet } from 'kysely';
import type { Incident } from '../incidents/model';
import { JobStore } from '../jobs/jobStore';
import { SettingsStore } from '../settings/settingsStore';
import { SavedQueries } from '../hunting/savedQueries';
import { ShiftNotes } from '../handover/shiftNotes';
import { queueRowOf } from '../incidents/view';
import { migrateToLatest, openIndexDb, type Engine, type IndexStorageOptions } from './database';
import { alertColumns, entitiesOf, estimatedClocks, normalise } from './derive';
import { countPartition, queryPartition } from './query';
import { changesSince, createdSince, holdings, openedAt, recordVisit, type NewIncident, type RecentChange } from './reports';
import { partitionMetrics } from './metricsQuery';
import type { Metrics, Period } from '../metrics/metrics';
import type { SlaTargets } from '../incidents/sla';
import { DEFAULT_CACHE_ROWS, ReadCache } from './readCache';
import { readSyncState, releaseLease, takeLease, writeSyncState } from './syncState';
import { HISTORY_FIELDS, type AnalystKey, type HistoryEntry, type IncidentClocks, type IndexCounts, type IndexEntry, type IndexPage, type IndexQuery, type PartitionStatus, type SyncState, type UpsertResult } from './types';
import { chunks, docOf, historyValue, instant, iso, isoOrNull, lockPartition, partitionOf, sameValue, type Db, type Partition, type Tx } from './values';

export * from './types';
export type { NewIncident, RecentChange } from './reports';

/** A new incident's resolution and acknowledgement times: estimates (a change seen happen is dated by the upsert instead). */
function clockColumns(i: Incident) {
  const { resolvedAt, acknowledgedAt } = estimatedClocks(i);
  return { resolved_at: resolvedAt, resolved_estimated: resolvedAt !== null, acknowledged_at: acknowledgedAt, ack_estimated: acknowledgedAt !== null };
}

/** A new version of a partition's incidents (migration 005). */
const NEXT_VERSION = sql<string>`nextval('index_data_version')`;

/**
 * The incident index: each analyst's copy of the incidents they may see, in PostgreSQL (or the
 * embedded PGlite), for the queue to read without calling Microsoft on every view.
 *
 * The only way in is forAnalyst({ tenantId, oid }): the object it returns binds every statement to
 * that analyst's partition, and no method of it takes a tenant or an analyst. Everything an analyst
 * typed reaches SQL as a parameter, through Kysely; nothing is concatenated into a statement.
 */

export type { AnalystIndex };

export class IncidentIndex {
  private readonly cache: ReadCache;
  /** Bulk jobs, kept in the same database. */
  readonly jobs: JobStore;
  /** Analysts' queue settings, kept in the same database. */
  readonly settings: SettingsStore;
  /** Shift notes (per tenant), kept in the same database. */
  readonly notes: ShiftNotes;
  /** Saved hunting queries (per analyst, some shared with their tenant). */
  readonly huntingQueries: SavedQueries;

  private constructor(
    private readonly db: Db,
    readonly engine: Engine,
    cacheRows: number,
  ) {
    // The embedded engine's files belong to this process alone: nothing else writes them.
    this.cache = new ReadCache(engine === 'pglite', cacheRows);
    this.jobs = new JobStore(db);
    this.settings = new SettingsStore(db);
    this.notes = new ShiftNotes(db);
    this.huntingQueries = new SavedQueries(db);
  }

  /** Opens the index (PostgreSQL with a URL, else PGlite in dataDir or in memory) and migrates it. */
  static async open(options: IndexStorageOptions): Promise<IncidentIndex> {
    const { db, engine } = await openIndexDb(options);
    const index = new IncidentIndex(db, engine, options.cacheRows ?? DEFAULT_CACHE_ROWS);
    try {
      await index.migrate();
    } catch (err) {
      await db.destroy();
      throw err;
    }
    return index;
  }

  /** Applies pending migrations; returns what it applied (nothing when up to date). */
  migrate(): Promise<MigrationResultSet> {
    return migrateToLatest(this.db);
  }

  /**
   * Refreshes the planner's statistics. PostgreSQL's autovacuum does it by itself; the embedded
   * engine has no autovacuum, so whoever fills it in bulk (a backfill) calls this afterwards.
   */
  async analyze(): Promise<void> {
    await sql`analyze incidents, incident_docs, incident_entities, incident_history`.execute(this.db);
  }

  /** The analyst's partition: every query of the returned object reads and writes only that. */
  forAnalyst(key: AnalystKey): AnalystIndex {
    if (!key.tenantId || !key.oid) throw new Error('forAnalyst needs a tenant id and an object id');
    return new AnalystIndex(this.db, this.cache, key.tenantId, key.oid, key.username);
  }

  /**
   * Deletes every partition whose analyst was last seen more than `days` days before `now`;
   * returns how many. A later sign-in starts a fresh partition (and a new backfill).
   */
  async purgeIdle(days: number, now: Date = new Date()): Promise<number> {
    if (!(days > 0)) throw new RangeError('days must be positive');
    const cutoff = new Date(now.getTime() - days * 86_400_000);
    const idle = await this.db.selectFrom('sync_state').select(['tenant_id', 'analyst_oid']).where('last_seen_at', '<', cutoff).execute();
    let purged = 0;
    for (const { tenant_id, analyst_oid } of idle) {
      const gone = await this.db.transaction().execute(async (trx) => {
        await lockPartition(trx, tenant_id, analyst_oid);
        // Checked again under the lock: an analyst who came back meanwhile keeps their partition.
        const still = await trx
          .deleteFrom('sync_state')
          .where('tenant_id', '=', tenant_id)
          .where('analyst_oid', '=', analyst_oid)
          .where('last_seen_at', '<', cutoff)
          .executeTakeFirst();
        if (Number(still.numDeletedRows) === 0) return 0;
        for (const table of ['incident_entities', 'incident_comments', 'incident_history', 'incident_docs', 'incidents', 'bulk_job_items', 'bulk_jobs', 'analyst_settings', 'visits', 'hunting_queries'] as const) {
          await trx.deleteFrom(table).where('tenant_id', '=', tenant_id).where('analyst_oid', '=', analyst_oid).execute();
        }
        return 1;
      });
      this.cache.written(partitionOf(tenant_id, analyst_oid, undefined));
      purged += gone;
    }
    return purged;
  }

  /**
   * Every analyst's sync state in one tenant, for the status page: progress and errors, never an
   * incident. The one read that spans partitions, and it reads none of their incidents' data.
   */
  async tenantStatus(tenantId: string): Promise<PartitionStatus[]> {
    const rows = await this.db.selectFrom('sync_state').select(['analyst_oid', 'lease_until']).where('tenant_id', '=', tenantId).orderBy('analyst_oid').execute();
    const out: PartitionStatus[] = [];
    for (const r of rows) {
      const part = partitionOf(tenantId, r.analyst_oid, undefined);
      const state = await readSyncState(this.db, part);
      if (state === undefined) continue;
      const { n } = await this.db.selectFrom('incidents').select((eb) => eb.fn.countAll<number>().as('n')).where(part.mine).executeTakeFirstOrThrow();
      out.push({ ...state, oid: r.analyst_oid, incidents: Number(n), leaseUntil: r.lease_until === null ? null : iso(r.lease_until) });
    }
    return out;
  }

  async close(): Promise<void> {
    await this.db.destroy();
  }
}

/**
 * One analyst's partition. Not exported as a value: nothing outside this module can build one
 * with another tenant or analyst than forAnalyst() was given.
 */
class AnalystIndex {
  private readonly part: Partition;

  constructor(
    private readonly db: Db,
    private readonly cache: ReadCache,
    tenantId: string,
    oid: string,
    username: string | undefined,
  ) {
    this.part = partitionOf(tenantId, oid, username);
  }

  /** The partition's condition (the ids are parameters). */
  private get mine() {
    return this.part.mine;
  }

  private get partition() {
    return this.part.row;
  }

  /**
   * Writes each incident as read at `observedAt`, and records in history every change of a
   * HISTORY_FIELDS field against the stored version (`changedBy`: who, when the change was made
   * through ThreatDesk). An incident read without alerts keeps the alerts stored earlier.
   */
  async upsert(incidents: Incident[], observedAt: Date | string, changedBy: string | null = null): Promise<UpsertResult> {
    const at = instant(observedAt, 'observedAt');
    // The last read of an id in one batch wins.
    const batch = [...new Map(incidents.map((i) => [i.id, i])).values()];
    if (batch.length === 0) return { created: 0, changed: 0 };
    return this.writing(() => this.db.transaction().execute(async (trx) => {
      // One writer per partition at a time, across instances: each diff is against the version
      // the previous writer committed, so concurrent syncs neither lose nor double history.
      await lockPartition(trx, this.part.tenantId, this.part.oid);
      const stored = new Map<string, Incident>();
      const staleBefore = new Set<string>();
      for (const ids of chunks(batch.map((i) => i.id), 1_000)) {
        const rows = await trx
          .selectFrom('incidents')
          .select((eb) => ['id', 'alerts_stale', docOf(this.part, eb)])
          .where(this.mine)
          .where('id', 'in', ids)
          .execute();
        for (const r of rows) {
          if (r.doc !== null) stored.set(r.id, r.doc);
          if (r.alerts_stale) staleBefore.add(r.id);
        }
      }
      // Alerts kept from an earlier read are stale once the incident changed (a new alert changes it).
      const stale = new Set(
        batch
          .filter((i) => {
            const before = stored.get(i.id);
            return i.alerts === undefined && before?.alerts !== undefined && (staleBefore.has(i.id) || before.lastUpdateAt !== i.lastUpdateAt);
          })
          .map((i) => i.id),
      );
      const history: { incident_id: string; field: string; old_value: string | null; new_value: string | null }[] = [];
      let created = 0;
      let changed = 0;
      const docs = batch.map((incoming) => {
        const before = stored.get(incoming.id);
        const doc: Incident = incoming.alerts === undefined && before?.alerts !== undefined ? { ...incoming, alerts: before.alerts } : incoming;
        if (before === undefined) {
          created++;
          history.push({ incident_id: doc.id, field: 'created', old_value: null, new_value: null });
        } else {
          let any = false;
          for (const f of HISTORY_FIELDS) {
            const [o, n] = [historyValue(before, f), historyValue(doc, f)];
            if (sameValue(o, n)) continue;
            any = true;
            history.push({ incident_id: doc.id, field: f, old_value: JSON.stringify(o), new_value: JSON.stringify(n) });
          }
          if (any) changed++;
        }
        return doc;
      });

      await this.writeIncidents(trx, docs, at, stale);
      await this.replaceEntities(
        trx,
        docs.filter((d) => d.alerts !== undefined || !stored.has(d.id)),
      );
      await this.replaceComments(trx, docs);
      for (const part of chunks(history, 2_000)) {
        await trx
          .insertInto('incident_history')
          .values(part.map((h) => ({ ...this.partition, ...h, observed_at: at, changed_by: changedBy })))
          .execute();
      }
      // Every partition has a sync state row, so that purgeIdle finds it; a new data version says the incidents changed.
      await trx
        .insertInto('sync_state')
        .values({ ...this.partition, last_seen_at: at })
        .onConflict((oc) => oc.columns(['tenant_id', 'analyst_oid']).doUpdateSet({ data_version: NEXT_VERSION }))
        .execute();
      return { created, changed };
    }));
  }

  /** Runs a write of the partition; what the cache kept of it is forgotten whatever the outcome. */
  private async writing<T>(write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } finally {
      this.cache.written(this.part);
    }
  }

  private async writeIncidents(trx: Tx, docs: Incident[], at: Date, stale: Set<string>) {
    for (const part of chunks(docs, 400)) {
      await trx
        .insertInto('incidents')
        .values(
          part.map((i) => ({
            ...this.partition,
            ...clockColumns(i),
            id: i.id,
            status: i.status,
            severity: i.severity,
            classification: i.classification,
            determination: i.determination,
            assigned_to: normalise(i.assignedTo),
            display_name: i.displayName,
            created_at: i.createdAt === null ? null : instant(i.createdAt, `incident ${i.id} createdAt`),
            last_update_at: instant(i.lastUpdateAt, `incident ${i.id} lastUpdateAt`),
            redirect_incident_id: i.redirectIncidentId,
            custom_tags: i.customTags,
            system_tags: i.systemTags,
            ...alertColumns(i.alerts),
            seen_at: at,
            alerts_stale: stale.has(i.id),
            // A new incident's clocks; a changed one's are decided below, against the stored version.
            unassigned_since: i.assignedTo === '' ? instant(i.createdAt ?? i.lastUpdateAt, `incident ${i.id} createdAt`) : null,
          })),
        )
        .onConflict((oc) =>
          oc.columns(['tenant_id', 'analyst_oid', 'id']).doUpdateSet((eb) => ({
            status: eb.ref('excluded.status'),
            severity: eb.ref('excluded.severity'),
            classification: eb.ref('excluded.classification'),
            determination: eb.ref('excluded.determination'),
            assigned_to: eb.ref('excluded.assigned_to'),
            display_name: eb.ref('excluded.display_name'),
            created_at: eb.ref('excluded.created_at'),
            last_update_at: eb.ref('excluded.last_update_at'),
            redirect_incident_id: eb.ref('excluded.redirect_incident_id'),
            custom_tags: eb.ref('excluded.custom_tags'),
            system_tags: eb.ref('excluded.system_tags'),
            service_sources: eb.ref('excluded.service_sources'),
            detection_sources: eb.ref('excluded.detection_sources'),
            categories: eb.ref('excluded.categories'),
            device_groups: eb.ref('excluded.device_groups'),
            seen_at: eb.ref('excluded.seen_at'),
            alerts_stale: eb.ref('excluded.alerts_stale'),
            // Kept while the state holds; started by the version that brought the change.
            unassigned_since: sql<Date | null>`case when excluded.assigned_to <> '' then null when incidents.assigned_to = '' then coalesce(incidents.unassigned_since, excluded.unassigned_since) else excluded.last_update_at end`,
            resolved_at: sql<Date | null>`case when excluded.status <> 'resolved' then null
              when incidents.status <> 'resolved' then excluded.last_update_at
              when incidents.resolved_estimated or incidents.resolved_at is null then excluded.resolved_at
              else incidents.resolved_at end`,
            resolved_estimated: sql<boolean>`excluded.status = 'resolved' and incidents.status = 'resolved' and incidents.resolved_estimated`,
            // The first acknowledgement stays, even when the incident goes back to Active and unassigned.
            acknowledged_at: sql<Date | null>`case when incidents.acknowledged_at is null then (case when excluded.acknowledged_at is not null then excluded.last_update_at end)
              when incidents.ack_estimated then least(incidents.acknowledged_at, coalesce(excluded.acknowledged_at, incidents.acknowledged_at))
              else incidents.acknowledged_at end`,
            ack_estimated: sql<boolean>`incidents.acknowledged_at is not null and incidents.ack_estimated`,
          })),
        )
        .execute();
      await trx
        .insertInto('incident_docs')
        .values(part.map((i) => ({ ...this.partition, id: i.id, doc: JSON.stringify(i), queue_row: JSON.stringify(queueRowOf(i)) })))
        .onConflict((oc) => oc.columns(['tenant_id', 'analyst_oid', 'id']).doUpdateSet((eb) => ({ doc: eb.ref('excluded.doc'), queue_row: eb.ref('excluded.queue_row') })))
        .execute();
    }
  }

  private async replaceEntities(trx: Tx, docs: Incident[]) {
    for (const ids of chunks(docs.map((d) => d.id), 1_000)) {
      await trx.deleteFrom('incident_entities').where(this.mine).where('incident_id', 'in', ids).execute();
    }
    const rows = docs.flatMap((d) => entitiesOf(d).map((e) => ({ ...this.partition, incident_id: d.id, kind: e.kind, value: e.value })));
    for (const part of chunks(rows, 2_000)) await trx.insertInto('incident_entities').values(part).execute();
  }

  private async replaceComments(trx: Tx, docs: Incident[]) {
    for (const ids of chunks(docs.map((d) => d.id), 1_000)) {
      await trx.deleteFrom('incident_comments').where(this.mine).where('incident_id', 'in', ids).execute();
    }
    const rows = docs.flatMap((d) =>
      d.comments.map((c, seq) => ({
        ...this.partition,
        incident_id: d.id,
        seq,
        text: c.text,
        author: c.author,
        created_at: c.createdAt === null ? null : instant(c.createdAt, `a comment's createdAt on incident ${d.id}`),
      })),
    );
    for (const part of chunks(rows, 2_000)) await trx.insertInto('incident_comments').values(part).execute();
  }

  /** Forgets incidents (no longer visible to the analyst), with their entities, comments and history. */
  async remove(ids: string[]): Promise<number> {
    if (ids.length === 0) return 0;
    return this.writing(() => this.db.transaction().execute(async (trx) => {
      await lockPartition(trx, this.part.tenantId, this.part.oid);
      let removed = 0;
      for (const part of chunks(ids, 1_000)) {
        for (const table of ['incident_entities', 'incident_comments', 'incident_history', 'visits'] as const) {
          await trx.deleteFrom(table).where(this.mine).where('incident_id', 'in', part).execute();
        }
        await trx.deleteFrom('incident_docs').where(this.mine).where('id', 'in', part).execute();
        const r = await trx.deleteFrom('incidents').where(this.mine).where('id', 'in', part).executeTakeFirst();
        removed += Number(r.numDeletedRows);
      }
      await trx.updateTable('sync_state').set({ data_version: NEXT_VERSION }).where(this.mine).execute();
      return removed;
    }));
  }

  async get(id: string): Promise<Incident | undefined> {
    return (await this.entry(id))?.incident;
  }

  /** The incident with whether its alerts are current and when it was read. */
  async entry(id: string): Promise<IndexEntry | undefined> {
    const row = await this.db
      .selectFrom('incidents')
      .select((eb) => ['alerts_stale', 'seen_at', docOf(this.part, eb)])
      .where(this.mine)
      .where('id', '=', id)
      .executeTakeFirst();
    if (row?.doc == null) return undefined;
    return { incident: row.doc, alertsCurrent: row.doc.alerts !== undefined && !row.alerts_stale, seenAt: iso(row.seen_at) };
  }

  /** When the incident was first acknowledged and resolved, as the index saw or estimated them; undefined when it holds no such incident. */
  async clocks(id: string): Promise<IncidentClocks | undefined> {
    const r = await this.db.selectFrom('incidents').select(['acknowledged_at', 'ack_estimated', 'resolved_at', 'resolved_estimated']).where(this.mine).where('id', '=', id).executeTakeFirst();
    return r && { acknowledgedAt: isoOrNull(r.acknowledged_at), ackEstimated: r.ack_estimated, resolvedAt: isoOrNull(r.resolved_at), resolvedEstimated: r.resolved_estimated };
  }

  /** Incidents whose alerts were never read or changed since, open ones and the latest first (what enrichment reads next). */
  async needingAlerts(openStatuses: readonly string[], limit: number): Promise<string[]> {
    const rows = await this.db
      .selectFrom('incidents')
      .select('id')
      .where(this.mine)
      .where((eb) =>
        eb.or([
          eb('alerts_stale', '=', true),
          eb('id', 'in', eb.selectFrom('incident_docs').select('incident_docs.id').where(this.mine).where(sql`doc->'alerts'`, 'is', null)),
        ]),
      )
      .orderBy(sql`status in (${sql.join([...openStatuses])})`, 'desc')
      .orderBy('last_update_at', 'desc')
      .limit(limit)
      .execute();
    return rows.map((r) => r.id);
  }

  /** Ids of the stored incidents in the given statuses last updated before `before` (what a reconcile compares with the API's list). */
  async openUpdatedBefore(statuses: readonly string[], before: Date): Promise<string[]> {
    if (statuses.length === 0) return [];
    const rows = await this.db.selectFrom('incidents').select('id').where(this.mine).where('status', 'in', [...statuses]).where('last_update_at', '<', before).execute();
    return rows.map((r) => r.id);
  }

  /** The incident's recorded changes, oldest first. */
  async history(id: string): Promise<HistoryEntry[]> {
    const rows = await this.db
      .selectFrom('incident_history')
      .select(['incident_id', 'field', 'old_value', 'new_value', 'observed_at', 'changed_by'])
      .where(this.mine)
      .where('incident_id', '=', id)
      .orderBy('observed_at')
      .orderBy('history_id')
      .execute();
    return rows.map((r) => ({
      incidentId: r.incident_id,
      field: r.field as HistoryEntry['field'],
      oldValue: r.old_value === null ? null : (JSON.parse(r.old_value) as HistoryEntry['oldValue']),
      newValue: r.new_value === null ? null : (JSON.parse(r.new_value) as HistoryEntry['newValue']),
      observedAt: iso(r.observed_at),
      changedBy: r.changed_by,
    }));
  }

  /** One page of the analyst's incidents matching the query, and how many match in all. */
  query(q: IndexQuery = {}): Promise<IndexPage> {
    return queryPartition(this.db, this.part, q);
  }

  /** Counts by severity and status over everything the query matches (page and sort aside). */
  counts(q: IndexQuery = {}): Promise<IndexCounts> {
    return countPartition(this.db, this.part, q);
  }

  /**
   * A queue view: query() and counts() together, read once per version of the partition's
   * incidents and kept for the next view asking the same (readCache.ts). `dataVersion`: the one a
   * sync state the caller has just read holds, to save reading it again.
   */
  async view(q: IndexQuery = {}, dataVersion?: string): Promise<{ page: IndexPage; counts: IndexCounts }> {
    const version = dataVersion ?? (await this.syncState())?.dataVersion ?? 'none';
    const [page, counts] = await Promise.all([
      this.cache.result(this.part, version, 'page', q, () => this.query(q)),
      this.cache.result(this.part, version, 'counts', q, () => this.counts(q)),
    ]);
    return { page, counts };
  }

  /** The metrics of `period` and of the period of equal length before it, and how many incidents (merged aside) they cover. */
  metrics(period: Period, targets: SlaTargets): Promise<{ current: Metrics; previous: Metrics; covered: number }> {
    return partitionMetrics(this.db, this.part, period, targets);
  }

  /** Status, severity and assignee changes (and first sightings) recorded since `since`, oldest first. */
  changesSince(since: Date): Promise<RecentChange[]> {
    return changesSince(this.db, this.part, since);
  }

  /** Incidents created since `since`, newest first. */
  createdSince(since: Date): Promise<NewIncident[]> {
    return createdSince(this.db, this.part, since);
  }

  /** Open incidents per assignee and severity. */
  holdings(openStatuses: readonly string[]): Promise<{ assignedTo: string; severity: string; n: number }[]> {
    return holdings(this.db, this.part, openStatuses);
  }

  /** Records a visit of the queue ('') or of an incident at `now`; returns the previous one (ISO) to compare with. */
  recordVisit(incidentId: string, now: Date): Promise<string | null> {
    return recordVisit(this.db, this.part, incidentId, now);
  }

  /** When the analyst last opened each of these incidents. */
  openedAt(ids: string[]): Promise<Map<string, string>> {
    return openedAt(this.db, this.part, ids);
  }

  /** Takes the partition's sync lease unless another sync holds it (across instances). */
  takeSyncLease(owner: string, ttlMs: number): Promise<boolean> {
    return this.writing(() => takeLease(this.db, this.part, owner, ttlMs));
  }

  releaseSyncLease(owner: string): Promise<void> {
    return this.writing(() => releaseLease(this.db, this.part, owner));
  }

  syncState(): Promise<SyncState | undefined> {
    return this.cache.state(this.part, () => readSyncState(this.db, this.part));
  }

  /** Changes the fields given (the rest stay); a new partition's lastSeenAt defaults to now. */
  saveSyncState(patch: Partial<Omit<SyncState, 'dataVersion'>>): Promise<SyncState> {
    return this.writing(() => writeSyncState(this.db, this.part, patch));
  }
}
