import { sql } from 'kysely';
import { BACKFILL_PHASES, type BackfillPhase, type SyncState } from './types';
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
    backfillPhase: phaseOf(r.backfill_phase),
    backfillDone: r.backfill_done,
    backfillCount: r.backfill_count,
    lastSeenAt: iso(r.last_seen_at),
    lastError: r.last_error,
    // int8: a string from pg, a bigint from PGlite.
    dataVersion: String(r.data_version),
  };
}

const phaseOf = (v: string): BackfillPhase => BACKFILL_PHASES.find((p) => p === v) ?? 'open';

/** Changes the fields given (the rest stay); a new partition's lastSeenAt defaults to now. */
export async function writeSyncState(db: Db, part: Partition, patch: Partial<Omit<SyncState, 'dataVersion'>>): Promise<SyncState> {
  const ts = (v: string | null | undefined, what: string) => (v === undefined ? undefined : v === null ? null : instant(v, what));
  const values = {
    watermark: ts(patch.watermark, 'watermark'),
    last_delta_at: ts(patch.lastDeltaAt, 'lastDeltaAt'),
    last_reconcile_at: ts(patch.lastReconcileAt, 'lastReconcileAt'),
    last_backfill_at: ts(patch.lastBackfillAt, 'lastBackfillAt'),
    backfill_cursor: patch.backfillCursor,
    backfill_phase: patch.backfillPhase,
    backfill_done: patch.backfillDone,
    last_error: patch.lastError,
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

/**
 * Takes the partition's sync lease for `ttlMs` (by the database's clock, which every instance
 * shares) unless another owner holds an unexpired one; true when `owner` holds it now.
 */
export async function takeLease(db: Db, part: Partition, owner: string, ttlMs: number): Promise<boolean> {
  await db.insertInto('sync_state').values({ ...part.row, last_seen_at: new Date() }).onConflict((oc) => oc.columns(['tenant_id', 'analyst_oid']).doNothing()).execute();
  const until = sql<Date>`now() + make_interval(secs => ${ttlMs / 1000})`;
  const r = await db
    .updateTable('sync_state')
    .set({ lease_owner: owner, lease_until: until })
    .where(part.mine)
    .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', sql<Date>`now()`), eb('lease_owner', '=', owner)]))
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

export async function releaseLease(db: Db, part: Partition, owner: string): Promise<void> {
  await db.updateTable('sync_state').set({ lease_owner: null, lease_until: null }).where(part.mine).where('lease_owner', '=', owner).execute();
}
