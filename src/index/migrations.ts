import { sql, type Kysely, type Migration, type MigrationProvider, type SqlBool } from 'kysely';
import { queueRowOf } from '../incidents/view';
import type { IndexDatabase } from './schema';

/**
 * The incident index's migrations, in code (no files to ship or find at run time), run by Kysely's
 * Migrator on PostgreSQL and PGlite alike: the same SQL on both engines. Names sort in order; a
 * migration once released is never edited, a change is a new one.
 */

const PARTITION = ['tenant_id', 'analyst_oid'] as const;

const m001: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('incidents')
      .addColumn('tenant_id', 'text', (c) => c.notNull())
      .addColumn('analyst_oid', 'text', (c) => c.notNull())
      .addColumn('id', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('severity', 'text', (c) => c.notNull())
      .addColumn('severity_rank', 'smallint', (c) =>
        c.generatedAlwaysAs(sql`case severity when 'high' then 4 when 'medium' then 3 when 'low' then 2 when 'informational' then 1 else 0 end`).stored(),
      )
      .addColumn('classification', 'text', (c) => c.notNull())
      .addColumn('determination', 'text', (c) => c.notNull())
      .addColumn('assigned_to', 'text', (c) => c.notNull())
      .addColumn('display_name', 'text', (c) => c.notNull())
      .addColumn('created_at', 'timestamptz')
      .addColumn('last_update_at', 'timestamptz', (c) => c.notNull())
      .addColumn('redirect_incident_id', 'text')
      .addColumn('custom_tags', sql`text[]`, (c) => c.notNull())
      .addColumn('system_tags', sql`text[]`, (c) => c.notNull())
      .addColumn('service_sources', sql`text[]`, (c) => c.notNull())
      .addColumn('detection_sources', sql`text[]`, (c) => c.notNull())
      .addColumn('categories', sql`text[]`, (c) => c.notNull())
      .addColumn('device_groups', sql`text[]`, (c) => c.notNull())
      .addColumn('doc', 'jsonb', (c) => c.notNull())
      .addColumn('seen_at', 'timestamptz', (c) => c.notNull())
      .addPrimaryKeyConstraint('incidents_pk', [...PARTITION, 'id'])
      .execute();
    // The queue's sorts (each with id as the tie-breaker, so pages are stable) and its selective filters.
    await db.schema.createIndex('incidents_by_update').on('incidents').columns([...PARTITION, 'last_update_at desc', 'id']).execute();
    await db.schema.createIndex('incidents_by_created').on('incidents').columns([...PARTITION, 'created_at', 'id']).execute();
    await db.schema.createIndex('incidents_by_severity').on('incidents').columns([...PARTITION, 'severity_rank', 'last_update_at desc']).execute();
    await db.schema.createIndex('incidents_by_status').on('incidents').columns([...PARTITION, 'status', 'last_update_at desc']).execute();
    await db.schema.createIndex('incidents_by_assignee').on('incidents').columns([...PARTITION, 'assigned_to', 'last_update_at desc']).execute();
    await db.schema.createIndex('incidents_tags').on('incidents').using('gin').column('custom_tags').execute();

    await db.schema
      .createTable('incident_entities')
      .addColumn('tenant_id', 'text', (c) => c.notNull())
      .addColumn('analyst_oid', 'text', (c) => c.notNull())
      .addColumn('incident_id', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('value', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('incident_entities_pk', [...PARTITION, 'incident_id', 'kind', 'value'])
      .execute();
    // Search: equality and prefix (text_pattern_ops serves LIKE 'abc%' whatever the collation).
    await db.schema
      .createIndex('incident_entities_by_value')
      .on('incident_entities')
      .expression(sql`tenant_id, analyst_oid, value text_pattern_ops`)
      .execute();

    await db.schema
      .createTable('incident_comments')
      .addColumn('tenant_id', 'text', (c) => c.notNull())
      .addColumn('analyst_oid', 'text', (c) => c.notNull())
      .addColumn('incident_id', 'text', (c) => c.notNull())
      .addColumn('seq', 'integer', (c) => c.notNull())
      .addColumn('text', 'text', (c) => c.notNull())
      .addColumn('author', 'text')
      .addColumn('created_at', 'timestamptz')
      .addPrimaryKeyConstraint('incident_comments_pk', [...PARTITION, 'incident_id', 'seq'])
      .execute();

    await db.schema
      .createTable('incident_history')
      .addColumn('tenant_id', 'text', (c) => c.notNull())
      .addColumn('analyst_oid', 'text', (c) => c.notNull())
      .addColumn('incident_id', 'text', (c) => c.notNull())
      .addColumn('history_id', 'bigint', (c) => c.generatedByDefaultAsIdentity())
      .addColumn('field', 'text', (c) => c.notNull())
      .addColumn('old_value', 'text')
      .addColumn('new_value', 'text')
      .addColumn('observed_at', 'timestamptz', (c) => c.notNull())
      .addColumn('changed_by', 'text')
      .addPrimaryKeyConstraint('incident_history_pk', [...PARTITION, 'incident_id', 'history_id'])
      .execute();

    await db.schema
      .createTable('sync_state')
      .addColumn('tenant_id', 'text', (c) => c.notNull())
      .addColumn('analyst_oid', 'text', (c) => c.notNull())
      .addColumn('watermark', 'timestamptz')
      .addColumn('last_delta_at', 'timestamptz')
      .addColumn('last_reconcile_at', 'timestamptz')
      .addColumn('last_backfill_at', 'timestamptz')
      .addColumn('backfill_cursor', 'text')
      .addColumn('backfill_done', 'boolean', (c) => c.notNull().defaultTo(false))
      .addColumn('backfill_count', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('last_seen_at', 'timestamptz', (c) => c.notNull())
      .addPrimaryKeyConstraint('sync_state_pk', [...PARTITION])
      .execute();
    await db.schema.createIndex('sync_state_by_last_seen').on('sync_state').column('last_seen_at').execute();
  },

  async down(db: Kysely<unknown>) {
    for (const table of ['sync_state', 'incident_history', 'incident_comments', 'incident_entities', 'incidents']) {
      await db.schema.dropTable(table).ifExists().execute();
    }
  },
};

/** What the syncs need: a lease (one sync per analyst across instances), their last error, and stale alerts. */
const m002: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .alterTable('sync_state')
      .addColumn('lease_owner', 'text')
      .addColumn('lease_until', 'timestamptz')
      .addColumn('last_error', 'text')
      .addColumn('backfill_phase', 'text', (c) => c.notNull().defaultTo('open'))
      .execute();
    // True when the incident changed since its alerts were read (lists carry no alerts).
    await db.schema.alterTable('incidents').addColumn('alerts_stale', 'boolean', (c) => c.notNull().defaultTo(false)).execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.alterTable('incidents').dropColumn('alerts_stale').execute();
    await db.schema.alterTable('sync_state').dropColumn('lease_owner').dropColumn('lease_until').dropColumn('last_error').dropColumn('backfill_phase').execute();
  },
};

/**
 * The queue's scans (filters, sorts, the total, the counts, a search) read every row of the
 * partition, and with the document inline a row was ~1.4 kB: partitions of 10,000 no longer
 * stayed in the buffer cache side by side. The document moves to a table of its own, read only
 * for a page's ids and the incident page, and the rows the queue scans shrink to ~0.45 kB (with
 * 20 × 10,000 incidents, 313 MB became 90 MB). The lower-cased name is stored too, so that a
 * search no longer lower-cases every name of the partition.
 */
const m003: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('incident_docs')
      .addColumn('tenant_id', 'text', (c) => c.notNull())
      .addColumn('analyst_oid', 'text', (c) => c.notNull())
      .addColumn('id', 'text', (c) => c.notNull())
      .addColumn('doc', 'jsonb', (c) => c.notNull())
      .addPrimaryKeyConstraint('incident_docs_pk', [...PARTITION, 'id'])
      .execute();
    await sql`insert into incident_docs (tenant_id, analyst_oid, id, doc) select tenant_id, analyst_oid, id, doc from incidents`.execute(db);
    await db.schema.alterTable('incidents').dropColumn('doc').execute();
    // Adding a stored generated column rewrites the table, writing null for the dropped column:
    // the rows are narrow at once, not each only when next updated.
    await db.schema
      .alterTable('incidents')
      .addColumn('display_name_lower', 'text', (c) => c.generatedAlwaysAs(sql`lower(display_name)`).stored())
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.alterTable('incidents').dropColumn('display_name_lower').addColumn('doc', 'jsonb').execute();
    await sql`update incidents i set doc = d.doc from incident_docs d where d.tenant_id = i.tenant_id and d.analyst_oid = i.analyst_oid and d.id = i.id`.execute(db);
    await db.schema.alterTable('incidents').alterColumn('doc', (c) => c.setNotNull()).execute();
    await db.schema.dropTable('incident_docs').execute();
  },
};

/**
 * The queue read each page's 50 whole documents (7–8 kB each with their alerts) to show a line of
 * each: decoding them was most of a page's cost. Each document now has its queue row beside it
 * (queueRowOf: the incident without alerts, comments and description, with its alert figures;
 * ~0.5 kB), which the queue and the CSV read instead. Filled here for the documents already stored.
 */
const m004: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('incident_docs').addColumn('queue_row', 'jsonb').execute();
    const docs = db as unknown as Kysely<Pick<IndexDatabase, 'incident_docs'>>;
    let after: { tenant_id: string; analyst_oid: string; id: string } | undefined;
    for (;;) {
      let batch = docs.selectFrom('incident_docs').select(['tenant_id', 'analyst_oid', 'id', 'doc']).orderBy('tenant_id').orderBy('analyst_oid').orderBy('id').limit(500);
      if (after) batch = batch.where(sql<SqlBool>`(tenant_id, analyst_oid, id) > (${after.tenant_id}, ${after.analyst_oid}, ${after.id})`);
      const rows = await batch.execute();
      if (rows.length > 0) {
        const col = (f: (r: (typeof rows)[number]) => string) => rows.map(f);
        await sql`
          update incident_docs d set queue_row = v.queue_row::jsonb
          from unnest(${col((r) => r.tenant_id)}::text[], ${col((r) => r.analyst_oid)}::text[], ${col((r) => r.id)}::text[], ${col((r) => JSON.stringify(queueRowOf(r.doc)))}::text[])
            as v(tenant_id, analyst_oid, id, queue_row)
          where d.tenant_id = v.tenant_id and d.analyst_oid = v.analyst_oid and d.id = v.id`.execute(db);
      }
      after = rows.at(-1);
      if (rows.length < 500) break;
    }
    await db.schema.alterTable('incident_docs').alterColumn('queue_row', (c) => c.setNotNull()).execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.alterTable('incident_docs').dropColumn('queue_row').execute();
  },
};

/**
 * A version of each partition's incidents, which every write of them changes: what the queue's
 * results are cached by (readCache.ts). From one sequence, so that a partition purged and filled
 * again never comes back to a version it had before.
 */
const m005: Migration = {
  async up(db: Kysely<unknown>) {
    await sql`create sequence index_data_version`.execute(db);
    await db.schema.alterTable('sync_state').addColumn('data_version', 'bigint', (c) => c.notNull().defaultTo(sql`nextval('index_data_version')`)).execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.alterTable('sync_state').dropColumn('data_version').execute();
    await sql`drop sequence index_data_version`.execute(db);
  },
};

/**
 * Since when an incident has been unassigned, and when it was resolved, as the index saw them: the
 * SLA clocks (time to assign, time to resolve). Graph keeps neither. Kept by every write from the
 * version in which the change appeared (its lastUpdateDateTime); filled here from what is stored.
 */
const m006: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('incidents').addColumn('unassigned_since', 'timestamptz').addColumn('resolved_at', 'timestamptz').execute();
    await sql`update incidents set
      unassigned_since = case when assigned_to = '' then coalesce(created_at, last_update_at) end,
      resolved_at = case when status = 'resolved' then last_update_at end`.execute(db);
  },
  async down(db: Kysely<unknown>) {
    await db.schema.alterTable('incidents').dropColumn('unassigned_since').dropColumn('resolved_at').execute();
  },
};

/**
 * Bulk jobs (one change applied to many incidents, paced through the tenant's budget) and their
 * rows, so that a job survives a restart and resumes where it stopped. At most one unfinished job
 * per analyst, which the database enforces across instances.
 */
const m007: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('bulk_jobs')
      .addColumn('tenant_id', 'text', (c) => c.notNull())
      .addColumn('analyst_oid', 'text', (c) => c.notNull())
      .addColumn('id', 'text', (c) => c.notNull())
      .addColumn('account', 'jsonb', (c) => c.notNull())
      .addColumn('action', 'jsonb', (c) => c.notNull())
      .addColumn('view', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('note', 'text')
      .addColumn('total', 'integer', (c) => c.notNull())
      .addColumn('budget_waits', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('throttled', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('checked_from', 'timestamptz', (c) => c.notNull())
      .addColumn('checked_at', 'timestamptz')
      .addColumn('next_at', 'timestamptz', (c) => c.notNull())
      .addColumn('lease_owner', 'text')
      .addColumn('lease_until', 'timestamptz')
      .addColumn('created_at', 'timestamptz', (c) => c.notNull())
      .addColumn('finished_at', 'timestamptz')
      .addPrimaryKeyConstraint('bulk_jobs_pk', [...PARTITION, 'id'])
      .execute();
    await sql`create unique index bulk_jobs_one_unfinished on bulk_jobs (tenant_id, analyst_oid) where state in ('running', 'paused')`.execute(db);
    await sql`create index bulk_jobs_runnable on bulk_jobs (next_at) where state = 'running'`.execute(db);
    await db.schema
      .createTable('bulk_job_items')
      .addColumn('tenant_id', 'text', (c) => c.notNull())
      .addColumn('analyst_oid', 'text', (c) => c.notNull())
      .addColumn('job_id', 'text', (c) => c.notNull())
      .addColumn('seq', 'integer', (c) => c.notNull())
      .addColumn('incident_id', 'text', (c) => c.notNull())
      .addColumn('display_name', 'text', (c) => c.notNull())
      .addColumn('base', 'text', (c) => c.notNull())
      .addColumn('seen', 'jsonb', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('stage', 'text')
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('result', 'text')
      .addColumn('done_at', 'timestamptz')
      .addPrimaryKeyConstraint('bulk_job_items_pk', [...PARTITION, 'job_id', 'seq'])
      .execute();
    await sql`create index bulk_job_items_pending on bulk_job_items (tenant_id, analyst_oid, job_id, seq) where state = 'pending'`.execute(db);
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('bulk_job_items').execute();
    await db.schema.dropTable('bulk_jobs').execute();
  },
};

/** Each analyst's queue settings: their default extra columns (in order) and the views they saved. */
const m008: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('analyst_settings')
      .addColumn('tenant_id', 'text', (c) => c.notNull())
      .addColumn('analyst_oid', 'text', (c) => c.notNull())
      .addColumn('columns', 'jsonb')
      .addColumn('views', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
      .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
      .addPrimaryKeyConstraint('analyst_settings_pk', [...PARTITION])
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('analyst_settings').execute();
  },
};

/**
 * What the metrics and the handover read. When an incident was first acknowledged (assigned, or
 * moved off Active) and whether that time and its resolution time were seen happen or only
 * estimated (the incident was already so when the index first read it). Shift notes, which a
 * tenant's analysts share on purpose: the next shift reads them. And each analyst's last visits
 * (to the queue, id '', and to each incident) for the "since your last visit" markers.
 */
const m009: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .alterTable('incidents')
      .addColumn('acknowledged_at', 'timestamptz')
      .addColumn('ack_estimated', 'boolean', (c) => c.notNull().defaultTo(false))
      .addColumn('resolved_estimated', 'boolean', (c) => c.notNull().defaultTo(false))
      .execute();
    // What is stored was read, not seen happen, unless its history holds the change.
    await sql`update incidents i set
      acknowledged_at = case when i.assigned_to <> '' or i.status <> 'active' then i.last_update_at end,
      ack_estimated = (i.assigned_to <> '' or i.status <> 'active'),
      resolved_estimated = (i.status = 'resolved' and not exists (select 1 from incident_history h
        where h.tenant_id = i.tenant_id and h.analyst_oid = i.analyst_oid and h.incident_id = i.id and h.field = 'status' and h.new_value = '"resolved"'))`.execute(db);
    await db.schema
      .createTable('shift_notes')
      .addColumn('tenant_id', 'text', (c) => c.notNull())
      .addColumn('id', 'text', (c) => c.notNull())
      .addColumn('author', 'text', (c) => c.notNull())
      .addColumn('text', 'text', (c) => c.notNull())
      .addColumn('created_at', 'timestamptz', (c) => c.notNull())
      .addPrimaryKeyConstraint('shift_notes_pk', ['tenant_id', 'id'])
      .execute();
    await db.schema.createIndex('shift_notes_latest').on('shift_notes').columns(['tenant_id', 'created_at desc']).execute();
    await db.schema
      .createTable('visits')
      .addColumn('tenant_id', 'text', (c) => c.notNull())
      .addColumn('analyst_oid', 'text', (c) => c.notNull())
      .addColumn('incident_id', 'text', (c) => c.notNull())
      .addColumn('visited_at', 'timestamptz', (c) => c.notNull())
      .addColumn('previous_at', 'timestamptz')
      .addPrimaryKeyConstraint('visits_pk', [...PARTITION, 'incident_id'])
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('visits').execute();
    await db.schema.dropTable('shift_notes').execute();
    await db.schema.alterTable('incidents').dropColumn('acknowledged_at').dropColumn('ack_estimated').dropColumn('resolved_estimated').execute();
  },
};

/**
 * Saved hunting queries. Each belongs to the analyst who saved it (their partition, purged with it);
 * a shared one is read by every analyst of the same tenant, never edited by them.
 */
const m010: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('hunting_queries')
      .addColumn('tenant_id', 'text', (c) => c.notNull())
      .addColumn('analyst_oid', 'text', (c) => c.notNull())
      .addColumn('id', 'text', (c) => c.notNull())
      .addColumn('author', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('description', 'text', (c) => c.notNull())
      .addColumn('query', 'text', (c) => c.notNull())
      .addColumn('range', 'text', (c) => c.notNull())
      .addColumn('shared', 'boolean', (c) => c.notNull())
      .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
      .addPrimaryKeyConstraint('hunting_queries_pk', [...PARTITION, 'id'])
      .execute();
    // One name per analyst: saving under a name again replaces that query.
    await db.schema.createIndex('hunting_queries_name').on('hunting_queries').columns([...PARTITION, 'name']).unique().execute();
    await db.schema.createIndex('hunting_queries_shared').on('hunting_queries').columns(['tenant_id', 'shared']).execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('hunting_queries').execute();
  },
};

/** Each analyst's language and time zone (null: from the browser). */
const m011: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('analyst_settings').addColumn('language', 'text').execute();
    await db.schema.alterTable('analyst_settings').addColumn('time_zone', 'text').execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.alterTable('analyst_settings').dropColumn('time_zone').execute();
    await db.schema.alterTable('analyst_settings').dropColumn('language').execute();
  },
};

export const MIGRATIONS: Record<string, Migration> = {
  '001_incident_index': m001,
  '002_sync': m002,
  '003_incident_docs': m003,
  '004_queue_rows': m004,
  '005_data_version': m005,
  '006_sla_clocks': m006,
  '007_bulk_jobs': m007,
  '008_analyst_settings': m008,
  '009_metrics_handover': m009,
  '010_hunting_queries': m010,
  '011_analyst_locale': m011,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: () => Promise.resolve(MIGRATIONS),
};
