import { sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';

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

export const MIGRATIONS: Record<string, Migration> = {
  '001_incident_index': m001,
  '002_sync': m002,
  '003_incident_docs': m003,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: () => Promise.resolve(MIGRATIONS),
};
