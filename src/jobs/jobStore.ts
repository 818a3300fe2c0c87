import { sql } from 'kysely';
import type { SessionAccount } from '../auth/tokenService';
import type { Snapshot } from '../incidents/manage';
import type { IncidentChange } from '../incidents/model';
import type { AnalystKey } from '../index/types';
import { chunks, iso, isoOrNull, lockPartition, partitionOf, type Db, type Partition } from '../index/values';
import { actionOf, type BulkAction } from './bulkAction';

/**
 * Bulk jobs in the index's database (migration 007), so that a job outlives the process that
 * started it. Like the index, everything an analyst reads goes through forAnalyst(): a job id from
 * another analyst is simply not found. Only the runner claims jobs across partitions, to run them.
 */

/** running: works when the budget allows; paused: waits for the analyst (a sign-in, a permission). */
export type JobState = 'running' | 'paused' | 'done' | 'cancelled';
export type ItemState = 'pending' | 'done' | 'skipped' | 'failed';
/** Who a job acts as: what the token cache needs, without the sign-in session. */
export type JobAccount = Pick<SessionAccount, 'homeAccountId' | 'tenantId' | 'oid' | 'username' | 'name'>;

/**
 * Text another module words (a refusal of the resolve policy, what changed in Microsoft, a missing
 * role), by language: a job runs outside any request and its rows are read later, in whichever
 * language the reader has then, so such text is kept in every language ThreatDesk speaks.
 */
export type Worded = Record<string, string>;

/**
 * What happened to one incident, as a code and its values: the page words it when it is read, in
 * the reader's language and zone. `asWritten` is a row stored as English text before codes were.
 */
export type ItemResult =
  | { code: 'gone' }
  | { code: 'merged'; into: string }
  | { code: 'refused'; reason: Worded }
  | { code: 'changed'; changes: Worded }
  | { code: 'alreadyAsAsked' }
  | { code: 'notVisible' }
  | { code: 'apiRefused'; reason: string }
  | { code: 'gaveUp'; attempts: number; error: string }
  | { code: 'saved'; change: IncidentChange; commented: boolean }
  | { code: 'asWritten'; text: string };

/** Why a job waits or paused, as a code and its values (times as epoch ms, shown in the reader's zone). */
export type JobNote =
  | { code: 'cancelled' }
  | { code: 'unexpected' }
  | { code: 'retrying'; incidentId: string; kind: string; atMs: number }
  | { code: 'budgetPaused'; atMs: number }
  | { code: 'budgetBusy'; atMs: number }
  | { code: 'throttled'; atMs: number }
  | { code: 'signInAgain' }
  | { code: 'forbidden'; reason: Worded }
  | { code: 'asWritten'; text: string };

/** A code as the text column holds it: JSON, which no English sentence stored before began with. */
const stored = (value: ItemResult | JobNote): string => JSON.stringify(value);

function decoded<T extends { code: string }>(text: string | null): T | { code: 'asWritten'; text: string } | null {
  if (text === null) return null;
  if (text.startsWith('{')) {
    try {
      const value = JSON.parse(text) as unknown;
      if (typeof value === 'object' && value !== null && typeof (value as { code?: unknown }).code === 'string') return value as T;
    } catch {
      // Not JSON after all: a sentence, shown as it was written.
    }
  }
  return { code: 'asWritten', text };
}

export interface BulkJob {
  id: string;
  account: JobAccount;
  action: BulkAction;
  view: string;
  state: JobState;
  note: JobNote | null;
  total: number;
  budgetWaits: number;
  throttled: number;
  checkedFrom: string;
  checkedAt: string | null;
  nextAt: string;
  createdAt: string;
  finishedAt: string | null;
  counts: Record<ItemState, number>;
}

export interface JobItem {
  seq: number;
  incidentId: string;
  displayName: string;
  base: string;
  seen: Snapshot;
  state: ItemState;
  stage: 'updated' | null;
  attempts: number;
  result: ItemResult | null;
}

export interface NewJob {
  id: string;
  account: JobAccount;
  action: BulkAction;
  view: string;
  /** Changes made in Microsoft after this instant are looked for before each write. */
  checkedFrom: Date;
  items: { incidentId: string; displayName: string; base: string; seen: Snapshot }[];
}

/** The analyst already has a job under way: at most one at a time. */
export class JobUnderWayError extends Error {
  constructor(readonly jobId: string) {
    super('a bulk job is already under way');
    this.name = 'JobUnderWayError';
  }
}

const STATES: readonly JobState[] = ['running', 'paused', 'done', 'cancelled'];

export class JobStore {
  constructor(private readonly db: Db) {}

  forAnalyst(key: AnalystKey): AnalystJobs {
    if (!key.tenantId || !key.oid) throw new Error('forAnalyst needs a tenant id and an object id');
    return new AnalystJobs(this.db, partitionOf(key.tenantId, key.oid, key.username));
  }

  /**
   * Leases up to `limit` running jobs that are due and that no live runner holds (any analyst's:
   * the runner's one read across partitions), clearing why they waited. Each comes back with the
   * account it acts as.
   */
  async claim(owner: string, leaseMs: number, limit: number): Promise<{ id: string; account: JobAccount }[]> {
    if (limit <= 0) return [];
    const due = await sql<{ tenant_id: string; analyst_oid: string; id: string; account: unknown }>`
      update bulk_jobs set lease_owner = ${owner}, lease_until = now() + make_interval(secs => ${leaseMs / 1000}), note = null
      where (tenant_id, analyst_oid, id) in (
        select tenant_id, analyst_oid, id from bulk_jobs
        where state = 'running' and next_at <= now() and (lease_until is null or lease_until < now())
        order by next_at limit ${limit} for update skip locked)
      returning tenant_id, analyst_oid, id, account`.execute(this.db);
    return due.rows.map((r) => ({ id: r.id, account: r.account as JobAccount }));
  }
}

/** One analyst's jobs; not exported as a value (see forAnalyst). */
class AnalystJobs {
  constructor(
    private readonly db: Db,
    private readonly part: Partition,
  ) {}

  /** Stores a new running job and its rows, unless the analyst has one under way (JobUnderWayError). */
  async create(job: NewJob): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await lockPartition(trx, this.part.tenantId, this.part.oid);
      const open = await trx.selectFrom('bulk_jobs').select('id').where(this.part.mine).where('state', 'in', ['running', 'paused']).executeTakeFirst();
      if (open) throw new JobUnderWayError(open.id);
      const now = new Date();
      await trx
        .insertInto('bulk_jobs')
        .values({
          ...this.part.row,
          id: job.id,
          account: JSON.stringify(job.account),
          action: JSON.stringify(job.action),
          view: job.view,
          state: 'running',
          total: job.items.length,
          checked_from: job.checkedFrom,
          next_at: now,
          created_at: now,
        })
        .execute();
      for (const part of chunks(job.items.map((item, seq) => ({ item, seq })), 1_000)) {
        await trx
          .insertInto('bulk_job_items')
          .values(part.map(({ item, seq }) => ({ ...this.part.row, job_id: job.id, seq, incident_id: item.incidentId, display_name: item.displayName, base: item.base, seen: JSON.stringify(item.seen), state: 'pending' })))
          .execute();
      }
    });
  }

  async get(id: string): Promise<BulkJob | undefined> {
    const r = await this.db.selectFrom('bulk_jobs').selectAll().where(this.part.mine).where('id', '=', id).executeTakeFirst();
    if (r === undefined) return undefined;
    const counted = await this.db
      .selectFrom('bulk_job_items')
      .select(['state', (eb) => eb.fn.countAll<number>().as('n')])
      .where(this.part.mine)
      .where('job_id', '=', id)
      .groupBy('state')
      .execute();
    const counts: Record<ItemState, number> = { pending: 0, done: 0, skipped: 0, failed: 0 };
    for (const c of counted) if (c.state in counts) counts[c.state as ItemState] = Number(c.n);
    return {
      id: r.id,
      account: r.account as JobAccount,
      action: actionOf(r.action),
      view: r.view,
      state: STATES.find((s) => s === r.state) ?? 'paused',
      note: decoded<JobNote>(r.note),
      total: r.total,
      budgetWaits: r.budget_waits,
      throttled: r.throttled,
      checkedFrom: iso(r.checked_from),
      checkedAt: isoOrNull(r.checked_at),
      nextAt: iso(r.next_at),
      createdAt: iso(r.created_at),
      finishedAt: isoOrNull(r.finished_at),
      counts,
    };
  }

  async exists(id: string): Promise<boolean> {
    return (await this.db.selectFrom('bulk_jobs').select('id').where(this.part.mine).where('id', '=', id).executeTakeFirst()) !== undefined;
  }

  /** The job under way, if any (running or paused). */
  async underWay(): Promise<string | undefined> {
    const r = await this.db.selectFrom('bulk_jobs').select('id').where(this.part.mine).where('state', 'in', ['running', 'paused']).executeTakeFirst();
    return r?.id;
  }

  /** The analyst's latest jobs, newest first. */
  async recent(limit: number): Promise<{ id: string; state: string; total: number; createdAt: string; action: BulkAction }[]> {
    const rows = await this.db.selectFrom('bulk_jobs').select(['id', 'state', 'total', 'created_at', 'action']).where(this.part.mine).orderBy('created_at', 'desc').limit(limit).execute();
    return rows.map((r) => ({ id: r.id, state: r.state, total: r.total, createdAt: iso(r.created_at), action: actionOf(r.action) }));
  }

  /** Rows in order; `states` narrows to some outcomes. */
  async items(id: string, opts: { limit: number; offset?: number; states?: ItemState[] }): Promise<JobItem[]> {
    let q = this.db.selectFrom('bulk_job_items').selectAll().where(this.part.mine).where('job_id', '=', id);
    if (opts.states) q = q.where('state', 'in', opts.states);
    const rows = await q.orderBy('seq').limit(opts.limit).offset(opts.offset ?? 0).execute();
    return rows.map((r) => ({
      seq: r.seq,
      incidentId: r.incident_id,
      displayName: r.display_name,
      base: r.base,
      seen: r.seen as Snapshot,
      state: r.state as ItemState,
      stage: r.stage === 'updated' ? 'updated' : null,
      attempts: r.attempts,
      result: decoded<ItemResult>(r.result),
    }));
  }

  /** Stops a job under way; rows not yet done stay as they are and say so. True when it was under way. */
  async cancel(id: string): Promise<boolean> {
    const r = await this.db
      .updateTable('bulk_jobs')
      .set({ state: 'cancelled', note: stored({ code: 'cancelled' }), finished_at: new Date() })
      .where(this.part.mine)
      .where('id', '=', id)
      .where('state', 'in', ['running', 'paused'])
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  /** Runs a paused job again (after the analyst signed in again, or got the permission). */
  async resume(id: string): Promise<boolean> {
    const r = await this.db.updateTable('bulk_jobs').set({ state: 'running', note: null, next_at: new Date() }).where(this.part.mine).where('id', '=', id).where('state', '=', 'paused').executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  // What the runner does with a job it holds: each write names its owner, so a runner whose lease
  // lapsed (and whose job another runner took) changes nothing.

  /** Extends the lease; returns the job's state, or undefined when this runner no longer holds it. */
  async renew(id: string, owner: string, leaseMs: number): Promise<JobState | undefined> {
    const r = await sql<{ state: string }>`
      update bulk_jobs set lease_until = now() + make_interval(secs => ${leaseMs / 1000})
      where tenant_id = ${this.part.tenantId} and analyst_oid = ${this.part.oid} and id = ${id} and lease_owner = ${owner}
      returning state`.execute(this.db);
    const state = r.rows[0]?.state;
    return STATES.find((s) => s === state);
  }

  async settle(id: string, seq: number, state: ItemState, result: ItemResult): Promise<void> {
    await this.db.updateTable('bulk_job_items').set({ state, result: stored(result), done_at: new Date() }).where(this.part.mine).where('job_id', '=', id).where('seq', '=', seq).execute();
  }

  /** The change is stored (`change` is what it was); only the comment remains, and a retry must not send the change again. */
  async markUpdated(id: string, seq: number, change: IncidentChange): Promise<void> {
    await this.db.updateTable('bulk_job_items').set({ stage: 'updated', result: stored({ code: 'saved', change, commented: false }) }).where(this.part.mine).where('job_id', '=', id).where('seq', '=', seq).execute();
  }

  /** Counts a failed attempt at a row; returns how many there have been. */
  async attempted(id: string, seq: number): Promise<number> {
    const r = await sql<{ attempts: number }>`
      update bulk_job_items set attempts = attempts + 1
      where tenant_id = ${this.part.tenantId} and analyst_oid = ${this.part.oid} and job_id = ${id} and seq = ${seq}
      returning attempts`.execute(this.db);
    return r.rows[0]?.attempts ?? 0;
  }

  /** Counts a wait for the budget the runner waited out holding the job. */
  async waited(id: string): Promise<void> {
    await this.db.updateTable('bulk_jobs').set((eb) => ({ budget_waits: eb('budget_waits', '+', 1) })).where(this.part.mine).where('id', '=', id).execute();
  }

  async checked(id: string, from: Date, at: Date): Promise<void> {
    await this.db.updateTable('bulk_jobs').set({ checked_from: from, checked_at: at }).where(this.part.mine).where('id', '=', id).execute();
  }

  /** Hands the job back until `nextAt` (a budget wait, a Retry-After, a retry), saying why; counts the wait when it is one. */
  async later(id: string, owner: string, nextAt: Date, note: JobNote, counted?: 'budget_waits' | 'throttled'): Promise<void> {
    await this.db
      .updateTable('bulk_jobs')
      .set((eb) => ({ next_at: nextAt, note: stored(note), lease_owner: null, lease_until: null, ...(counted ? { [counted]: eb(counted, '+', 1) } : {}) }))
      .where(this.part.mine)
      .where('id', '=', id)
      .where('lease_owner', '=', owner)
      .execute();
  }

  /** Ends the runner's hold: done, paused (with why), or simply released (shutdown). */
  async release(id: string, owner: string, end?: { state: 'done' | 'paused'; note: JobNote | null }): Promise<void> {
    await this.db
      .updateTable('bulk_jobs')
      .set({ lease_owner: null, lease_until: null, ...(end ? { state: end.state, note: end.note === null ? null : stored(end.note), finished_at: end.state === 'done' ? new Date() : null } : {}) })
      .where(this.part.mine)
      .where('id', '=', id)
      .where('lease_owner', '=', owner)
      .where('state', 'in', ['running', 'paused'])
      .execute();
  }
}

export type { AnalystJobs };
