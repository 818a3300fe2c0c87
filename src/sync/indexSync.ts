import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { SessionAccount } from '../auth/tokenService';
import type { Priority } from '../budget/governor';
import type { IncidentAccess } from '../incidents/access';
import type { Incident } from '../incidents/model';
import type { QueueFilter } from '../incidents/queueFilter';
import { BudgetExhaustedError, SecurityApiError } from '../incidents/sources/errors';
import type { BackfillPhase, IncidentIndex, SyncState } from '../index/incidentIndex';
import { describeError } from '../logging/logger';
import { showSyncProblem, syncProblemRecord } from './syncErrors';
import { backfillStep, NEXT_PHASE, OPEN_STATUSES, openIncidents, updatedSince } from './syncFilters';

export interface SyncOptions {
  /** An index older than this gets a delta sync at the analyst's next page. */
  intervalMs: number;
  /** How often the open incidents are listed whole, to drop those the analyst no longer sees. */
  reconcileMs?: number;
  /** How far before the watermark a delta starts reading (late writes, clocks a little apart). */
  overlapMs?: number;
  /** Backfill pages one sync may read (at the lowest priority, so only while the budget has room). */
  backfillPagesPerRun?: number;
  /** Incidents one sync may read whole for their alerts and evidence (lowest priority too). */
  enrichPerRun?: number;
  /** How long a sync holds its analyst's lease; a crashed instance's lease lapses after it. */
  leaseMs?: number;
  /** How long an analyst's very first page waits for their open incidents before showing progress instead. */
  firstFillWaitMs?: number;
  /**
   * The index's clock: what its history is dated by, and what the queue's SLA clocks, the markers,
   * the metrics and the handover compare with. Tests move it with the emulator's, whose changes
   * they date (sessions and tokens keep the real time).
   */
  now?: () => number;
}

/** What a page says about the index it shows. */
export interface Freshness {
  /** When the index last caught up with Microsoft (the start of the last complete sync); null before the first. */
  asOf: string | null;
  phase: BackfillPhase;
  /** Incidents the backfill has read so far. */
  backfillCount: number;
  syncing: boolean;
  lastError: string | null;
  /**
   * Why the analyst's very first fill failed, when it did in this process: with nothing to show,
   * the page explains the failure itself (a role, a consent, Microsoft down) like any API error.
   */
  firstFillFailure?: Error;
  /** The version of the index's incidents read with the rest (AnalystIndex.view() answers for it). */
  dataVersion: string | undefined;
}

/** Where a first fill the budget cut short resumes, and when it began (kept in the backfill cursor while the phase is 'open'). */
interface FillResume {
  since: string;
  next: string;
}

function fillResume(cursor: string | null): FillResume | undefined {
  try {
    const r = JSON.parse(cursor ?? '') as Partial<FillResume>;
    return typeof r.since === 'string' && typeof r.next === 'string' && !Number.isNaN(Date.parse(r.since)) ? { since: r.since, next: r.next } : undefined;
  } catch {
    return undefined;
  }
}

const keyOf = (a: SessionAccount) => ({ tenantId: a.tenantId, oid: a.oid, username: a.username });
const later = (a: string | null, b: string | null) => (a === null ? b : b === null ? a : a > b ? a : b);
const SEEN_EVERY_MS = 3_600_000;

/**
 * Keeps each analyst's incident index fresh, reading the API with the analyst's own token and
 * within the tenant's budget: first their open incidents, then deltas on the last-update time,
 * a reconcile of the open ones every 15 minutes, and a backfill (closed incidents of the last 30
 * days, then back to 6 months) at the lowest priority. One sync per analyst at a time: in this
 * process by a promise, across instances by a lease in the database.
 */
export class IndexSync {
  private readonly running = new Map<string, Promise<void>>();
  private readonly firstFillFailures = new Map<string, Error>();
  private readonly owner = randomUUID();
  private stopping = false;
  private readonly o: Required<SyncOptions>;

  constructor(
    readonly index: IncidentIndex,
    private readonly access: IncidentAccess,
    private readonly logger: Logger,
    options: SyncOptions,
  ) {
    this.o = { reconcileMs: 15 * 60_000, overlapMs: 120_000, backfillPagesPerRun: 10, enrichPerRun: 20, leaseMs: 120_000, firstFillWaitMs: 5_000, ...options, now: options.now ?? Date.now };
  }

  /**
   * The index's age for a page, starting a sync in the background when it is older than the
   * interval. A page never waits for a delta; only an analyst's very first page waits, a few
   * seconds at most, for their open incidents.
   */
  async freshness(account: SessionAccount): Promise<Freshness> {
    const part = this.index.forAnalyst(keyOf(account));
    let state = await part.syncState();
    const now = this.o.now();
    if (state !== undefined && now - Date.parse(state.lastSeenAt) >= SEEN_EVERY_MS) {
      // What keeps an active analyst's index from being purged as idle (INDEX_IDLE_DAYS).
      state = await part.saveSyncState({ lastSeenAt: new Date(now).toISOString() });
    }
    if (state?.lastDeltaAt == null || now - Date.parse(state.lastDeltaAt) >= this.o.intervalMs) {
      const run = this.start(account);
      if (state?.lastDeltaAt == null) {
        await Promise.race([run, new Promise((r) => setTimeout(r, this.o.firstFillWaitMs).unref())]);
        state = await part.syncState();
      }
    }
    const key = this.keyString(account);
    return {
      asOf: state?.lastDeltaAt ?? null,
      phase: state?.backfillPhase ?? 'open',
      backfillCount: state?.backfillCount ?? 0,
      syncing: this.running.has(key),
      lastError: state?.lastError ? showSyncProblem(state.lastError) : null,
      firstFillFailure: state?.lastDeltaAt == null ? this.firstFillFailures.get(key) : undefined,
      dataVersion: state?.dataVersion,
    };
  }

  /** Starts a sync unless one is already running for the analyst; resolves when it ends (never rejects). */
  start(account: SessionAccount): Promise<void> {
    const key = this.keyString(account);
    const current = this.running.get(key);
    if (current) return current;
    if (this.stopping) return Promise.resolve();
    const run = this.run(account).finally(() => this.running.delete(key));
    this.running.set(key, run);
    return run;
  }

  get intervalMs(): number {
    return this.o.intervalMs;
  }

  /** The analyst's own partition of the index. */
  indexOf(account: SessionAccount) {
    return this.index.forAnalyst(keyOf(account));
  }

  /** Shutdown: syncs in flight stop after the page they are reading; none starts. */
  stop(): void {
    this.stopping = true;
  }

  /** Resolves when every sync this process started has ended (shutdown, tests). */
  /** The index's clock (options.now). */
  now(): number {
    return this.o.now();
  }

  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.all(this.running.values());
  }

  /**
   * Replaces the incident in the analyst's index with what the API answered them, at once: after
   * their write (`byAnalyst`, so history says who), or when a write found it changed meanwhile.
   */
  async record(account: SessionAccount, incident: Incident, byAnalyst: boolean): Promise<void> {
    await this.index.forAnalyst(keyOf(account)).upsert([incident], new Date(this.o.now()), byAnalyst ? account.username : null);
  }

  private keyString(a: SessionAccount) {
    return `${a.tenantId}/${a.oid}`;
  }

  private async run(account: SessionAccount): Promise<void> {
    const part = this.index.forAnalyst(keyOf(account));
    try {
      if (!(await part.takeSyncLease(this.owner, this.o.leaseMs))) return;
    } catch (err) {
      this.logger.error({ err: describeError(err), tid: account.tenantId, oid: account.oid }, 'index sync could not take its lease');
      return;
    }
    const key = this.keyString(account);
    try {
      await this.steps(account);
      this.firstFillFailures.delete(key);
      await part.saveSyncState({ lastError: null });
    } catch (err) {
      if (err instanceof Error) this.firstFillFailures.set(key, err);
      const level = err instanceof BudgetExhaustedError ? 'info' : 'warn';
      this.logger[level]({ err: describeError(err), tid: account.tenantId, oid: account.oid }, 'index sync stopped short');
      // Stored as a record, worded for whoever reads it: a sync runs for one analyst and shows to others.
      await part.saveSyncState({ lastError: syncProblemRecord(err) }).catch(() => undefined);
    } finally {
      await part.releaseSyncLease(this.owner).catch(() => undefined);
    }
  }

  private async steps(account: SessionAccount): Promise<void> {
    const part = this.index.forAnalyst(keyOf(account));
    const state = (await part.syncState()) as SyncState;
    const started = this.o.now();
    const startedIso = new Date(started).toISOString();
    if (state.watermark === null) {
      // The first fill: the open incidents, what the queue shows first and the analyst is waiting
      // for (so at their own pages' priority). A fill the budget cut short resumes where it stopped,
      // and changes made since it began are caught by the next delta, which starts from before then.
      const resume = fillResume(state.backfillCursor);
      const since = resume?.since ?? startedIso;
      await this.readAll(account, openIncidents(), 'interactive', {
        from: resume?.next,
        save: (next) => part.saveSyncState({ backfillCursor: next === undefined ? null : JSON.stringify({ since, next } satisfies FillResume) }),
      });
      await part.saveSyncState({ watermark: new Date(Date.parse(since) - this.o.overlapMs).toISOString(), lastDeltaAt: startedIso, lastReconcileAt: since, backfillPhase: 'recent', backfillCursor: null });
    } else {
      const reconcile = state.lastReconcileAt === null || started - Date.parse(state.lastReconcileAt) >= this.o.reconcileMs;
      // Listed before the delta: anything it misses changed after this listing began, and the delta sees it.
      const open = reconcile ? await this.readAll(account, openIncidents(), 'delta') : undefined;
      const from = Date.parse(state.watermark) - this.o.overlapMs;
      const seen = await this.readAll(account, updatedSince(from), 'delta');
      await part.saveSyncState({ watermark: later(state.watermark, seen.maxUpdate), lastDeltaAt: startedIso });
      if (open !== undefined) {
        // Open in the index, not in the API's list of open incidents, and unchanged since before the
        // listing: the analyst no longer sees it (a role or device-group change).
        const gone = (await part.openUpdatedBefore(OPEN_STATUSES, new Date(started - this.o.overlapMs))).filter((id) => !open.ids.has(id));
        await part.remove(gone);
        await part.saveSyncState({ lastReconcileAt: startedIso });
      }
    }
    await this.backfill(account);
    await this.enrich(account);
  }

  /**
   * Lists carry no alerts (Graph never expands them on lists): incidents are read one by one for
   * their alerts and evidence, which entity search and the alert-level filters need, only while
   * the budget has room for its lowest priority. The incident page reads its own at once when needed.
   */
  private async enrich(account: SessionAccount): Promise<void> {
    const part = this.index.forAnalyst(keyOf(account));
    for (const id of await part.needingAlerts(OPEN_STATUSES, this.o.enrichPerRun)) {
      if (this.stopping) return;
      try {
        const incident = await this.access.run(account, 'read', (source, token) => source.get(token, id), 'backfill');
        await part.upsert([incident], new Date(this.o.now()));
      } catch (err) {
        if (err instanceof BudgetExhaustedError) return;
        // Gone from the analyst's view since it was listed (Microsoft answers 404 for what a role hides).
        if (err instanceof SecurityApiError && err.kind === 'not-found') {
          await part.remove([id]);
          continue;
        }
        throw err;
      }
    }
  }

  /** Reads every page of a listing into the index; returns the ids read and the latest update seen. */
  private async readAll(
    account: SessionAccount,
    filter: QueueFilter,
    priority: Priority,
    resume?: { from: string | undefined; save: (next: string | undefined) => Promise<unknown> },
  ): Promise<{ ids: Set<string>; maxUpdate: string | null }> {
    const part = this.index.forAnalyst(keyOf(account));
    const ids = new Set<string>();
    let maxUpdate: string | null = null;
    let next = resume?.from;
    for (;;) {
      // Held for as long as pages keep coming, however long the listing takes.
      await part.takeSyncLease(this.owner, this.o.leaseMs);
      let page;
      try {
        page = await this.listPage(account, filter, next, priority);
      } catch (err) {
        // A continuation Microsoft no longer accepts: the listing starts again.
        if (!(err instanceof SecurityApiError) || next === undefined || (err.kind !== 'bad-request' && err.kind !== 'not-found')) throw err;
        next = undefined;
        continue;
      }
      await part.upsert(page.incidents, new Date(this.o.now()));
      for (const i of page.incidents) {
        ids.add(i.id);
        maxUpdate = later(maxUpdate, i.lastUpdateAt);
      }
      next = page.next;
      await resume?.save(next);
      if (next === undefined) return { ids, maxUpdate };
      if (this.stopping) throw new Error('shutting down');
    }
  }

  private listPage(account: SessionAccount, filter: QueueFilter, continuation: string | undefined, priority: Priority) {
    const ctx = { upn: account.username, now: this.o.now() };
    return this.access.run(account, 'read', (source, token) => source.list(token, filter, ctx, continuation), priority);
  }

  /**
   * A few pages of backfill, only while the budget has room for its lowest priority; it resumes
   * where it stopped at the next sync (a continuation Microsoft no longer accepts restarts its step).
   */
  private async backfill(account: SessionAccount): Promise<void> {
    const part = this.index.forAnalyst(keyOf(account));
    let state = (await part.syncState()) as SyncState;
    for (let pages = 0; pages < this.o.backfillPagesPerRun && !this.stopping && state.backfillPhase !== 'open' && state.backfillPhase !== 'done'; pages++) {
      const phase = state.backfillPhase;
      const filter = backfillStep(phase, this.o.now());
      let page;
      try {
        page = await this.listPage(account, filter, state.backfillCursor ?? undefined, 'backfill');
      } catch (err) {
        if (err instanceof BudgetExhaustedError) return;
        if (err instanceof SecurityApiError && state.backfillCursor !== null && (err.kind === 'bad-request' || err.kind === 'not-found')) {
          state = await part.saveSyncState({ backfillCursor: null });
          continue;
        }
        throw err;
      }
      await part.upsert(page.incidents, new Date(this.o.now()));
      const nextPhase = page.next === undefined ? NEXT_PHASE[phase] : phase;
      state = await part.saveSyncState({
        backfillCursor: page.next ?? null,
        backfillPhase: nextPhase,
        backfillDone: nextPhase === 'done',
        backfillCount: state.backfillCount + page.incidents.length,
        lastBackfillAt: new Date(this.o.now()).toISOString(),
      });
    }
  }
}
