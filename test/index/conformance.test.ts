import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { Migrator } from 'kysely';
import { queueRowOf } from '../../src/incidents/view';
import { openIndexDb } from '../../src/index/database';
import { IncidentIndex } from '../../src/index/incidentIndex';
import { migrationProvider } from '../../src/index/migrations';
import { fullIncident, incidentIndexContract } from './contract';

/**
 * One contract (test/index/contract.ts), both engines: the embedded PGlite in memory, and the real
 * PostgreSQL on 127.0.0.1:5432 in a schema of this run's own, dropped afterwards.
 */

const PG_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const RUN_SCHEMA = `threatdesk_test_${randomBytes(6).toString('hex')}`;

// PGlite starts in a few seconds (WASM); the contract runs well within this.
jest.setTimeout(120_000);

function describeContract(name: string, open: () => Promise<IncidentIndex>): void {
  describe(`IncidentIndex contract: ${name}`, () => {
    let index: IncidentIndex;
    beforeAll(async () => {
      index = await open();
    });
    afterAll(() => index?.close());
    it.each(incidentIndexContract.map((check) => [check.name, check] as const))('%s', async (_name, check) => {
      await check.run(index);
    });
  });
}

describeContract('PGlite in memory', () => IncidentIndex.open({}));

const admin = new Client({ connectionString: PG_URL });
beforeAll(async () => {
  await admin.connect();
  await admin.query(`create schema ${RUN_SCHEMA}`);
});
afterAll(async () => {
  await admin.query(`drop schema if exists ${RUN_SCHEMA} cascade`);
  await admin.end();
});

describeContract('PostgreSQL', () => IncidentIndex.open({ databaseUrl: PG_URL, schema: RUN_SCHEMA }));

describe('IncidentIndex on PostgreSQL: several instances', () => {
  const schema = `${RUN_SCHEMA}_multi`;
  beforeAll(() => admin.query(`create schema ${schema}`));
  afterAll(() => admin.query(`drop schema if exists ${schema} cascade`));

  it('instances starting at once migrate the database once, into the schema asked for, and share the data', async () => {
    const instances = await Promise.all([1, 2, 3].map(() => IncidentIndex.open({ databaseUrl: PG_URL, schema, poolSize: 2 })));
    try {
      const applied = await admin.query<{ name: string }>(`select name from ${schema}.kysely_migration order by name`);
      expect(applied.rows.map((r) => r.name)).toEqual(['001_incident_index', '002_sync', '003_incident_docs', '004_queue_rows', '005_data_version', '006_sla_clocks', '007_bulk_jobs', '008_analyst_settings', '009_metrics_handover', '010_hunting_queries', '011_analyst_locale']);
      const tables = await admin.query<{ table_name: string }>(`select table_name from information_schema.tables where table_schema = $1 order by table_name`, [schema]);
      expect(tables.rows.map((r) => r.table_name)).toEqual(['analyst_settings', 'bulk_job_items', 'bulk_jobs', 'hunting_queries', 'incident_comments', 'incident_docs', 'incident_entities', 'incident_history', 'incidents', 'kysely_migration', 'kysely_migration_lock', 'shift_notes', 'sync_state', 'visits']);
      const key = { tenantId: 't', oid: 'o' };
      const [first, , third] = instances as [IncidentIndex, IncidentIndex, IncidentIndex];
      await first.forAnalyst(key).upsert([fullIncident('1')], '2026-03-05T00:00:00Z');
      expect(await third.forAnalyst(key).get('1')).toEqual(fullIncident('1'));
    } finally {
      await Promise.all(instances.map((i) => i.close()));
    }
  });

  it('a queue view one instance kept is never shown after another instance wrote', async () => {
    const [a, b] = await Promise.all([1, 2].map(() => IncidentIndex.open({ databaseUrl: PG_URL, schema, poolSize: 2 })));
    try {
      const key = { tenantId: 't', oid: `view-${randomBytes(4).toString('hex')}` };
      await b!.forAnalyst(key).upsert([fullIncident('1')], '2026-03-05T00:00:00Z');
      expect((await a!.forAnalyst(key).view()).page.rows.map((r) => r.status)).toEqual(['inProgress']);
      await b!.forAnalyst(key).upsert([{ ...fullIncident('1'), status: 'resolved' }, fullIncident('2')], '2026-03-06T00:00:00Z');
      const seen = await a!.forAnalyst(key).view();
      expect(seen.page.rows.map((r) => [r.id, r.status]).sort()).toEqual([['1', 'resolved'], ['2', 'inProgress']]);
      await b!.forAnalyst(key).remove(['2']);
      expect((await a!.forAnalyst(key).view()).page.total).toBe(1);
    } finally {
      await Promise.all([a, b].map((i) => i?.close()));
    }
  });

  it('migrations 004 and 006 give what was stored before them queue rows and SLA clocks', async () => {
    const old = `${schema}_004`;
    await admin.query(`create schema ${old}`);
    try {
      const { db } = await openIndexDb({ databaseUrl: PG_URL, schema: old, poolSize: 1 });
      try {
        await new Migrator({ db, provider: migrationProvider, migrationTableSchema: old }).migrateTo('003_incident_docs');
      } finally {
        await db.destroy();
      }
      const doc = fullIncident('9');
      await admin.query(
        `insert into ${old}.incidents (tenant_id, analyst_oid, id, status, severity, classification, determination, assigned_to, display_name, last_update_at, custom_tags, system_tags, service_sources, detection_sources, categories, device_groups, seen_at)
         values ('t', 'o', '9', $1, $2, '', '', $5, $3, $4, '{}', '{}', '{}', '{}', '{}', '{}', now())`,
        [doc.status, doc.severity, doc.displayName, doc.lastUpdateAt, doc.assignedTo.toLowerCase()],
      );
      await admin.query(`insert into ${old}.incident_docs (tenant_id, analyst_oid, id, doc) values ('t', 'o', '9', $1)`, [JSON.stringify(doc)]);
      // An unassigned one: its clock starts at its creation.
      const waiting = { ...fullIncident('10'), assignedTo: '', createdAt: '2026-03-01T00:00:00Z' };
      await admin.query(
        `insert into ${old}.incidents (tenant_id, analyst_oid, id, status, severity, classification, determination, assigned_to, display_name, created_at, last_update_at, custom_tags, system_tags, service_sources, detection_sources, categories, device_groups, seen_at)
         values ('t', 'o', '10', 'active', 'high', '', '', '', 'waiting', $1, $2, '{}', '{}', '{}', '{}', '{}', '{}', now())`,
        [waiting.createdAt, waiting.lastUpdateAt],
      );
      await admin.query(`insert into ${old}.incident_docs (tenant_id, analyst_oid, id, doc) values ('t', 'o', '10', $1)`, [JSON.stringify(waiting)]);
      const index = await IncidentIndex.open({ databaseUrl: PG_URL, schema: old });
      try {
        const rows = (await index.forAnalyst({ tenantId: 't', oid: 'o' }).query({ sort: { column: 'id', direction: 'asc' } })).rows;
        expect(rows).toEqual([
          { ...queueRowOf(doc), unassignedSince: null },
          { ...queueRowOf(waiting), unassignedSince: '2026-03-01T00:00:00.000Z' },
        ]);
      } finally {
        await index.close();
      }
    } finally {
      await admin.query(`drop schema if exists ${old} cascade`);
    }
  });

  it('keeps every table’s primary key led by (tenant_id, analyst_oid), but the tenant’s shift notes (read by all its analysts)', async () => {
    const index = await IncidentIndex.open({ databaseUrl: PG_URL, schema });
    await index.close();
    const keys = await admin.query<{ table_name: string; columns: string[] }>(
      `select c.relname as table_name, array(select a.attname::text from unnest(i.indkey) with ordinality k(n, ord) join pg_attribute a on a.attrelid = c.oid and a.attnum = k.n order by k.ord) as columns
         from pg_index i join pg_class c on c.oid = i.indrelid join pg_namespace n on n.oid = c.relnamespace
        where i.indisprimary and n.nspname = $1 and c.relname not like 'kysely%' order by c.relname`,
      [schema],
    );
    expect(keys.rows).toHaveLength(12);
    for (const { table_name, columns } of keys.rows) {
      expect([table_name, columns.slice(0, 2)]).toEqual([table_name, table_name === 'shift_notes' ? ['tenant_id', 'id'] : ['tenant_id', 'analyst_oid']]);
    }
  });
});

describe('IncidentIndex on PGlite in a data directory', () => {
  it('keeps the data across a restart, and migrates once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'threatdesk-index-'));
    try {
      const first = await IncidentIndex.open({ dataDir: join(dir, 'index') });
      expect((await first.migrate()).results).toEqual([]);
      await first.forAnalyst({ tenantId: 't', oid: 'o' }).upsert([fullIncident('1')], '2026-03-05T00:00:00Z');
      await first.close();
      const second = await IncidentIndex.open({ dataDir: join(dir, 'index') });
      try {
        expect((await second.migrate()).results).toEqual([]);
        expect(await second.forAnalyst({ tenantId: 't', oid: 'o' }).get('1')).toEqual(fullIncident('1'));
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
