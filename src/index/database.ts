import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, Migrator, PostgresDialect, sql, type MigrationResultSet } from 'kysely';
import { PGliteDialect } from 'kysely-pglite-dialect';
import { Pool } from 'pg';
import { migrationProvider } from './migrations';
import type { IndexDatabase } from './schema';

export interface IndexStorageOptions {
  /** postgres://… : production, and what several instances share. */
  databaseUrl?: string;
  /** Without a URL: the embedded PostgreSQL (PGlite) keeps its files here; in memory when unset. */
  dataDir?: string;
  /**
   * A PostgreSQL schema to work in instead of the default search path (tests give each run its
   * own). It must already exist on a server; the embedded engine creates it.
   */
  schema?: string;
  /** Connections in the pool (PostgreSQL only; PGlite has one). */
  poolSize?: number;
  /** Queue rows kept of views already read (readCache.ts); 20,000 by default, 0 for none. */
  cacheRows?: number;
}

export type Engine = 'postgres' | 'pglite';

export interface IndexDb {
  db: Kysely<IndexDatabase>;
  engine: Engine;
}

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/** Opens the index's database on the engine the options name. Migrations are run separately (migrate()). */
export async function openIndexDb(options: IndexStorageOptions): Promise<IndexDb> {
  const { schema } = options;
  if (schema !== undefined && !IDENTIFIER.test(schema)) throw new Error(`invalid schema name ${JSON.stringify(schema)}`);
  if (options.databaseUrl !== undefined) {
    const pool = new Pool({
      connectionString: options.databaseUrl,
      max: options.poolSize ?? 10,
      // Startup parameter, not SQL: the name is checked against IDENTIFIER above.
      options: schema !== undefined ? `-c search_path=${schema}` : undefined,
    });
    const db = new Kysely<IndexDatabase>({ dialect: new PostgresDialect({ pool }) });
    return { db, engine: 'postgres' };
  }
  if (options.dataDir !== undefined) mkdirSync(options.dataDir, { recursive: true });
  const pglite = options.dataDir !== undefined ? new PGlite(options.dataDir) : new PGlite();
  await pglite.waitReady;
  if (schema !== undefined) await pglite.exec(`create schema if not exists ${schema}; set search_path to ${schema}`);
  const db = new Kysely<IndexDatabase>({ dialect: new PGliteDialect(pglite) });
  return { db, engine: 'pglite' };
}

/**
 * Brings the schema up to date with Kysely's Migrator: applied migrations are recorded in
 * kysely_migration, and a lock table serialises instances migrating the same database at once.
 */
export async function migrateToLatest(db: Kysely<IndexDatabase>): Promise<MigrationResultSet> {
  // The Migrator looks for its own tables in every schema unless told which: name the one the
  // index's tables go to, so that another schema's kysely_migration is never taken for ours.
  const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(db);
  const migrationTableSchema = rows[0]?.schema;
  if (migrationTableSchema === undefined) throw new Error('no current schema: check the search path');
  const result = await new Migrator({ db, provider: migrationProvider, migrationTableSchema }).migrateToLatest();
  if (result.error !== undefined) {
    throw result.error instanceof Error ? result.error : new Error('incident index migration failed', { cause: result.error });
  }
  return result;
}
