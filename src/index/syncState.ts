import type { SyncState } from './types';
import { instant, iso, isoOrNull, type Db, type Partition } from './values';

/** The partition's sync state, if it has one. */
export async function readSyncState(db: Db, part: Partition): Promise<SyncState | undefined> {
  const r = await db.selectFrom('sync_state').selectAll().where(part.mine).executeTakeFirst();
  if (r === undefined) return undefined;
  return {
    watermark: isoOrNull(r.watermark),
    lastDeltaAt: isoOrNull(r.last_delta_at),
    lastReconcileAt: isoOrNull(r.last_reconcile_at),
    lastBackfillAt: isoOrNull(r.last_backfill_at),
    backfillCursor: r.backfill_cursor,
    backfillDone: r.backfill_done,
    backfillCount: r.backfill_count,
    lastSeenAt: iso(r.last_seen_at),
  };
}

/** Changes the fields given (the rest stay); a new partition's lastSeenAt defaults to now. */
export async function writeSyncState(db: Db, part: Partition, patch: Partial<SyncState>): Promise<SyncState> {
  const ts = (v: string | null | undefined, what: string) => (v === undefined ? undefined : v === null ? null : instant(v, what));
  const values = {
    watermark: ts(patch.watermark, 'watermark'),
    last_delta_at: ts(patch.lastDeltaAt, 'lastDeltaAt'),
    last_reconcile_at: ts(patch.lastReconcileAt, 'lastReconcileAt'),
    last_backfill_at: ts(patch.lastBackfillAt, 'lastBackfillAt'),
    backfill_cursor: patch.backfillCursor,
    backfill_done: patch.backfillDone,
    backfill_count: patch.backfillCount,
    last_seen_at: patch.lastSeenAt === undefined ? undefined : instant(patch.lastSeenAt, 'lastSeenAt'),
  };
  const set = Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)) as Partial<typeof values>;
  await db
    .insertInto('sync_state')
    .values({ ...part.row, ...set, last_seen_at: set.last_seen_at ?? new Date() })
    .onConflict((oc) => (Object.keys(set).length === 0 ? oc.columns(['tenant_id', 'analyst_oid']).doNothing() : oc.columns(['tenant_id', 'analyst_oid']).doUpdateSet(set)))
    .execute();
  const saved = await readSyncState(db, part);
  if (saved === undefined) throw new Error('sync state was not saved');
  return saved;
}
