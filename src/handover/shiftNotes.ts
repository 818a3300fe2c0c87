import { randomUUID } from 'node:crypto';
import { iso, type Db } from '../index/values';

export interface ShiftNote {
  id: string;
  author: string;
  text: string;
  createdAt: string;
}

/** A note is a shift's words, not a record: long enough for a handover, short enough to read first. */
export const MAX_NOTE = 4_000;

/**
 * Notes one shift leaves the next, in the index's database (migration 009). Unlike incidents they
 * belong to the tenant on purpose: every analyst of the tenant reads them. Reached only through
 * forTenant(), so no statement reads another tenant's notes.
 */
export class ShiftNotes {
  constructor(private readonly db: Db) {}

  forTenant(tenantId: string): TenantShiftNotes {
    if (!tenantId) throw new Error('forTenant needs a tenant id');
    return new TenantShiftNotes(this.db, tenantId);
  }
}

class TenantShiftNotes {
  constructor(
    private readonly db: Db,
    private readonly tenantId: string,
  ) {}

  async add(author: string, text: string, now = new Date()): Promise<ShiftNote> {
    const note = { id: randomUUID(), author, text, created_at: now };
    await this.db.insertInto('shift_notes').values({ tenant_id: this.tenantId, ...note }).execute();
    return { id: note.id, author, text, createdAt: iso(now) };
  }

  /** The latest notes, newest first. */
  async latest(limit: number): Promise<ShiftNote[]> {
    const rows = await this.db.selectFrom('shift_notes').select(['id', 'author', 'text', 'created_at']).where('tenant_id', '=', this.tenantId).orderBy('created_at', 'desc').orderBy('id').limit(limit).execute();
    return rows.map((r) => ({ id: r.id, author: r.author, text: r.text, createdAt: iso(r.created_at) }));
  }
}
