import { randomUUID } from 'node:crypto';
import { sql, type Selectable } from 'kysely';
import type { HuntingQueriesTable } from '../index/schema';
import type { AnalystKey } from '../index/types';
import { iso, partitionOf, type Db, type Partition } from '../index/values';

export interface SavedQuery {
  id: string;
  author: string;
  name: string;
  description: string;
  query: string;
  range: string;
  shared: boolean;
  /** Whether the analyst reading it saved it (and so may change or delete it). */
  mine: boolean;
  updatedAt: string;
}

export interface QueryDraft {
  name: string;
  description: string;
  query: string;
  range: string;
  shared: boolean;
}

export const MAX_SAVED = 200;
export const MAX_NAME = 80;
export const MAX_DESCRIPTION = 500;

/**
 * Saved hunting queries, in the index's database (migration 010). Each lives in its author's
 * partition; a shared one is also read by the other analysts of the same tenant, and by nobody
 * else. Reached only through forAnalyst(), so no statement leaves the analyst's tenant.
 */
export class SavedQueries {
  constructor(private readonly db: Db) {}

  forAnalyst(key: AnalystKey & { username: string }): AnalystQueries {
    if (!key.tenantId || !key.oid) throw new Error('forAnalyst needs a tenant id and an object id');
    return new AnalystQueries(this.db, partitionOf(key.tenantId, key.oid, key.username), key.username);
  }
}

type Saved = { kind: 'saved'; query: SavedQuery } | { kind: 'full' };

class AnalystQueries {
  constructor(
    private readonly db: Db,
    private readonly part: Partition,
    private readonly author: string,
  ) {}

  private readonly columns = ['id', 'analyst_oid', 'author', 'name', 'description', 'query', 'range', 'shared', 'updated_at'] as const;

  /** A row as the analyst reads it: the table's own fields, whether it is theirs, its time as ISO text. */
  private toSaved = ({ analyst_oid, updated_at, ...fields }: Omit<Selectable<HuntingQueriesTable>, 'tenant_id'>): SavedQuery => ({
    ...fields,
    mine: analyst_oid === this.part.oid,
    updatedAt: iso(updated_at),
  });

  /** The analyst's own queries, then those the tenant's other analysts share, each by name. */
  async list(): Promise<SavedQuery[]> {
    const rows = await this.db
      .selectFrom('hunting_queries')
      .select(this.columns)
      .where('tenant_id', '=', this.part.tenantId)
      .where((eb) => eb.or([eb('analyst_oid', '=', this.part.oid), eb('shared', '=', true)]))
      .orderBy(sql`analyst_oid = ${this.part.oid}`, 'desc')
      .orderBy('name')
      .orderBy('id')
      .execute();
    return rows.map(this.toSaved);
  }

  /** One query the analyst may read: their own, or one shared in their tenant. */
  async get(id: string): Promise<SavedQuery | undefined> {
    const row = await this.db
      .selectFrom('hunting_queries')
      .select(this.columns)
      .where('tenant_id', '=', this.part.tenantId)
      .where('id', '=', id)
      .where((eb) => eb.or([eb('analyst_oid', '=', this.part.oid), eb('shared', '=', true)]))
      .executeTakeFirst();
    return row && this.toSaved(row);
  }

  /** Saves under the draft's name: a query of the analyst's with that name is replaced, else one is added (up to MAX_SAVED). */
  async save(draft: QueryDraft, now = new Date()): Promise<Saved> {
    const values = { author: this.author, name: draft.name, description: draft.description, query: draft.query, range: draft.range, shared: draft.shared, updated_at: now };
    const replaced = await this.db.updateTable('hunting_queries').set(values).where(this.part.mine).where('name', '=', draft.name).returning(this.columns).executeTakeFirst();
    if (replaced) return { kind: 'saved', query: this.toSaved(replaced) };
    const { n } = await this.db.selectFrom('hunting_queries').select((eb) => eb.fn.countAll<string>().as('n')).where(this.part.mine).executeTakeFirstOrThrow();
    if (Number(n) >= MAX_SAVED) return { kind: 'full' };
    const row = await this.db
      .insertInto('hunting_queries')
      .values({ ...this.part.row, id: randomUUID(), ...values })
      // Two saves of one new name at once: the second replaces the first, as a later save would.
      .onConflict((oc) => oc.columns(['tenant_id', 'analyst_oid', 'name']).doUpdateSet(values))
      .returning(this.columns)
      .executeTakeFirstOrThrow();
    return { kind: 'saved', query: this.toSaved(row) };
  }

  /** Deletes one of the analyst's own queries; says whether there was one. */
  async delete(id: string): Promise<boolean> {
    const r = await this.db.deleteFrom('hunting_queries').where(this.part.mine).where('id', '=', id).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }
}
