import { sql, type ExpressionBuilder, type Kysely, type RawBuilder, type SqlBool, type Transaction } from 'kysely';
import type { Incident } from '../incidents/model';
import type { IndexDatabase } from './schema';
import type { HistoryField } from './types';

/** Small pieces every part of the index shares. */

export type Db = Kysely<IndexDatabase>;
export type Tx = Transaction<IndexDatabase>;

export const iso = (d: Date) => d.toISOString();
export const isoOrNull = (d: Date | null) => (d === null ? null : d.toISOString());
export const chunks = <T>(items: T[], size: number): T[][] => Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));

export function instant(v: string | Date, what: string): Date {
  const d = v instanceof Date ? v : new Date(v);
  if (Number.isNaN(d.getTime())) throw new RangeError(`${what} is not a date-time`);
  return d;
}

/** Escapes LIKE's wildcards, so that a typed % or _ matches itself. */
export const likeLiteral = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

export const historyValue = (i: Incident, f: HistoryField): string | string[] | null => {
  const v = i[f];
  return Array.isArray(v) ? [...v] : v;
};
export const sameValue = (a: string | string[] | null, b: string | string[] | null) => JSON.stringify(a) === JSON.stringify(b);

/** One writer per partition at a time, across instances, until the transaction ends. */
export async function lockPartition(trx: Tx, tenantId: string, oid: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtextextended(${`${tenantId}/${oid}`}, 0))`.execute(trx);
}

/** One analyst's partition, as the index's modules pass it among themselves (never to callers). */
export interface Partition {
  tenantId: string;
  oid: string;
  username: string | undefined;
  /** The partition's condition, for any of its tables (unqualified, so inside a subquery it names the subquery's own table). */
  mine: RawBuilder<SqlBool>;
  /** Its key columns, for inserts. */
  row: { tenant_id: string; analyst_oid: string };
}

export function partitionOf(tenantId: string, oid: string, username: string | undefined): Partition {
  return {
    tenantId,
    oid,
    username,
    mine: sql<SqlBool>`${sql.ref('tenant_id')} = ${tenantId} and ${sql.ref('analyst_oid')} = ${oid}`,
    row: { tenant_id: tenantId, analyst_oid: oid },
  };
}

/** The incident's document (kept in incident_docs), as a column of a select from incidents. */
export const docOf = (part: Partition, eb: ExpressionBuilder<IndexDatabase, 'incidents'>) =>
  eb.selectFrom('incident_docs').select('incident_docs.doc').where(part.mine).whereRef('incident_docs.id', '=', 'incidents.id').as('doc');

/** Sortable model fields and the columns that hold them. */
export const COLUMN_OF = {
  displayName: 'display_name',
  status: 'status',
  classification: 'classification',
  determination: 'determination',
  assignedTo: 'assigned_to',
  lastUpdateAt: 'last_update_at',
} as const;
