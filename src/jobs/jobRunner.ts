import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { InteractionRequiredError } from '../auth/errors';
import { DEFAULT_LANGUAGE, inLocale, LANGUAGES, t } from '../i18n/i18n';
import type { IncidentAccess } from '../incidents/access';
import { buildChange, canManage, changesSince, ManageInputError, type ResolveRequirement } from '../incidents/manage';
import type { IncidentChange } from '../incidents/model';
import { ApiForbiddenError, BudgetExhaustedError, SecurityApiError } from '../incidents/sources/errors';
import { auditBackground } from '../logging/audit';
import { describeError } from '../logging/logger';
import type { IndexSync } from '../sync/indexSync';
import { updatedSince } from '../sync/syncFilters';
import type { IncidentSource } from '../incidents/sources/source';
import { forbiddenPage } from '../web/errors/pages';
import { requestFor } from './bulkAction';
import type { AnalystJobs, BulkJob, ItemResult, JobAccount, JobItem, JobNote, JobStore, Worded } from './jobStore';

export interface JobRunnerOptions {
  /** How often due jobs are looked for (a job handed back until later is picked up then). */
  pollMs?: number;
  /** Jobs this process runs at once (different analysts'; the tenant's budget paces them all). */
  concurrency?: number;
  /** How long a runner holds a job between renewals; a crashed instance's jobs are taken over after it. */
  leaseMs?: number;
  /** The longest a write waits behind its conflict check: older than this, Microsoft is listed again first. */
  checkEveryMs?: number;
  /** Server errors (5xx, timeouts) one incident may meet before it is given up. */
  maxAttempts?: number;
}

/** How far before the last check the next one starts listing (late writes, clocks a little apart). */
const OVERLAP_MS = 120_000;
const ROWS_PER_ROUND = 10;
/** Budget waits up to this long are waited holding the job (well within its lease); longer ones hand it back. */
const IN_PROCESS_WAIT_MS = 15_000;

/**
 * Text other modules word (they translate in the current locale), in every language: a row's
 * outcome is read later, by a reader whose language the job cannot know now.
 */
const inEveryLanguage = (words: () => string): Worded => Object.fromEntries(LANGUAGES.map((lang) => [lang, inLocale({ lang, timeZone: 'UTC' }, words)]));

/** A job's turn ends: waiting (until when, why, which counter), paused for the analyst, or stopped (cancelled, or its lease lost). */
type Stop = { kind: 'later'; atMs: number; note: JobNote; counted?: 'budget_waits' | 'throttled' } | { kind: 'paused'; note: JobNote } | { kind: 'stopped' };

class StopJob extends Error {
  constructor(readonly stop: Stop) {
    super(stop.kind);
  }
}

/**
 * Runs bulk jobs: one incident at a time, each write through the tenant's budget at the priority of
 * background work (the analysts' own pages keep their share), every instance taking due jobs from
 * the database under a lease. Graph has no ETag on incidents, so before writing the runner lists
 * what changed in Microsoft since the analyst's view (one call for many incidents, refreshed when
 * older than checkEveryMs) into the analyst's index, and skips an incident that changed.
 */
export class JobRunner {
  private readonly active = new Map<string, Promise<void>>();
  private readonly owner = randomUUID();
  private readonly o: Required<JobRunnerOptions>;
  private timer: NodeJS.Timeout | undefined;
  private ticking = false;
  private stopping = false;

  constructor(
    private readonly jobs: JobStore,
    private readonly access: IncidentAccess,
    private readonly sync: IndexSync,
    private readonly logger: Logger,
    private readonly resolveRequires: readonly ResolveRequirement[],
    options: JobRunnerOptions = {},
  ) {
    this.o = { pollMs: 1_000, concurrency: 4, leaseMs: 60_000, checkEveryMs: 10_000, maxAttempts: 3, ...options };
  }

  start(): void {
    this.timer ??= setInterval(() => this.wake(), this.o.pollMs).unref();
    this.wake();
  }

  /** Looks for due jobs now (a job was started or resumed). */
  wake(): void {
    if (this.ticking || this.stopping) return;
    this.ticking = true;
    // Jobs run in no reader's locale, whichever request woke the runner: what they word is English,
    // and what a page shows is worded there (see jobStore's ItemResult).
    inLocale({ lang: DEFAULT_LANGUAGE, timeZone: 'UTC' }, () => this.tick())
      .catch((err: unknown) => this.logger.warn({ err: describeError(err) }, 'bulk jobs could not be claimed'))
      .finally(() => {
        this.ticking = false;
      });
  }

  /** Shutdown: jobs stop after the incident they are on and are handed back for any instance to resume. */
  async stop(): Promise<void> {
    this.stopping = true;
    clearInterval(this.timer);
    while (this.active.size > 0) await Promise.all(this.active.values());
  }

  private async tick(): Promise<void> {
    for (const claimed of await this.jobs.claim(this.owner, this.o.leaseMs, this.o.concurrency - this.active.size)) {
      const run = this.run(claimed.id, claimed.account).finally(() => this.active.delete(claimed.id));
      this.active.set(claimed.id, run);
    }
  }

  private async run(id: string, account: JobAccount): Promise<void> {
    const jobs = this.jobs.forAnalyst(account);
    try {
      const stop = await this.work(jobs, id, account);
      if (stop?.kind === 'later') {
        await jobs.later(id, this.owner, new Date(stop.atMs), stop.note, stop.counted);
        // Picked up again when due, not at the next poll only.
        setTimeout(() => this.wake(), Math.max(0, stop.atMs - Date.now()) + 10).unref();
      } else if (stop?.kind === 'paused') await jobs.release(id, this.owner, { state: 'paused', note: stop.note });
    } catch (err) {
      this.logger.error({ err: describeError(err), jobId: id, tid: account.tenantId, oid: account.oid }, 'bulk job stopped on an error');
      await jobs.release(id, this.owner, { state: 'paused', note: { code: 'unexpected' } }).catch(() => undefined);
    }
  }

  /** Works through the job's rows until it is done, must wait, or is stopped; says which. */
  private async work(jobs: AnalystJobs, id: string, account: JobAccount): Promise<Stop | undefined> {
    for (;;) {
      if (this.stopping) {
        await jobs.release(id, this.owner);
        return undefined;
      }
      // Also how a cancel (from any instance) is noticed: the job is no longer running.
      if ((await jobs.renew(id, this.owner, this.o.leaseMs)) !== 'running') return undefined;
      const job = await jobs.get(id);
      if (job === undefined) return undefined;
      const rows = await jobs.items(id, { states: ['pending'], limit: ROWS_PER_ROUND });
      if (rows.length === 0) {
        await jobs.release(id, this.owner, { state: 'done', note: null });
        return undefined;
      }
      try {
        let checkedAt = job.checkedAt === null ? 0 : Date.parse(job.checkedAt);
        for (const row of rows) {
          // A cancel (from any instance) is seen before the next incident, not at the next round.
          if (this.stopping || (await jobs.renew(id, this.owner, this.o.leaseMs)) !== 'running') break;
          if (Date.now() - checkedAt > this.o.checkEveryMs) checkedAt = await this.check(jobs, job, account);
          await this.apply(jobs, job, account, row);
        }
      } catch (err) {
        if (err instanceof StopJob) return err.stop;
        throw err;
      }
    }
  }

  /**
   * Lists what changed in Microsoft since the last check (every page) into the analyst's index, at
   * once: a row whose incident now differs from what the analyst selected is then skipped.
   */
  private async check(jobs: AnalystJobs, job: BulkJob, account: JobAccount): Promise<number> {
    const startedAt = Date.now();
    const from = Date.parse(job.checkedFrom);
    const part = this.sync.indexOf(account);
    let next: string | undefined;
    do {
      const page = await this.call({ jobs, id: job.id }, account, (source, token) => source.list(token, updatedSince(from), { upn: account.username, now: startedAt }, next), 'read');
      await part.upsert(page.incidents, new Date());
      next = page.next;
    } while (next !== undefined);
    // Changes before this listing are in the index now; the next listing starts a little before it.
    await jobs.checked(job.id, new Date(Math.max(from, startedAt - OVERLAP_MS)), new Date(startedAt));
    return startedAt;
  }

  /** One row: checked against the analyst's index (which the check keeps current), then written. */
  private async apply(jobs: AnalystJobs, job: BulkJob, account: JobAccount, row: JobItem): Promise<void> {
    const settle = (state: 'done' | 'skipped' | 'failed', result: ItemResult) => jobs.settle(job.id, row.seq, state, result);
    const current = await this.sync.indexOf(account).get(row.incidentId);
    if (current === undefined) return settle('skipped', { code: 'gone' });
    if (!canManage(current)) return settle('skipped', { code: 'merged', into: current.redirectIncidentId ?? '?' });
    const action = job.action;
    const build = () => buildChange(requestFor(action, current), current, this.resolveRequires);
    let change: IncidentChange;
    try {
      change = build();
    } catch (err) {
      if (err instanceof ManageInputError) return settle('skipped', { code: 'refused', reason: inEveryLanguage(() => refusalOf(build)) });
      throw err;
    }
    const updated = row.stage === 'updated';
    if (!updated && current.lastUpdateAt !== row.base) {
      // Changed meanwhile: left alone, unless it already is as asked (someone did it, or a write
      // whose answer was lost was stored after all).
      if (Object.keys(change).length === 0 && !action.comment) return settle('skipped', { code: 'alreadyAsAsked' });
      const changes = inEveryLanguage(() => changesSince(row.seen, current).map((c) => t('jobs:result.change', { field: c.field, from: c.from, to: c.to })).join(t('jobs:result.changeSeparator')));
      return settle('skipped', { code: 'changed', changes });
    }
    if (!updated && Object.keys(change).length === 0 && !action.comment) return settle('skipped', { code: 'alreadyAsAsked' });
    try {
      if (!updated && Object.keys(change).length > 0) {
        const answer = await this.call({ jobs, id: job.id }, account, (source, token) => source.update(token, row.incidentId, change), 'write');
        await jobs.markUpdated(job.id, row.seq, change);
        if (answer) await this.sync.record(account, answer, true);
      }
      if (action.comment) {
        const text = action.comment;
        await this.call({ jobs, id: job.id }, account, (source, token) => source.comment(token, row.incidentId, text), 'write');
      }
    } catch (err) {
      if (err instanceof SecurityApiError && err.kind === 'not-found') return settle('skipped', { code: 'notVisible' });
      if (err instanceof SecurityApiError && err.kind === 'bad-request') {
        // Microsoft's own words (or code), kept as it gave them.
        return settle('failed', { code: 'apiRefused', reason: err.details.apiMessage ?? err.details.apiCode ?? `HTTP ${err.status ?? '?'}` });
      }
      if (err instanceof SecurityApiError && ['unavailable', 'timeout', 'network', 'malformed'].includes(err.kind)) {
        const attempts = await jobs.attempted(job.id, row.seq);
        if (attempts >= this.o.maxAttempts) return settle('failed', { code: 'gaveUp', attempts, error: err.message });
        const atMs = Date.now() + 10_000 * attempts;
        throw new StopJob({ kind: 'later', atMs, note: { code: 'retrying', incidentId: row.incidentId, kind: err.kind, atMs } });
      }
      throw err;
    }
    auditBackground(this.logger, 'incident.write', { oid: account.oid, tid: account.tenantId, incidentId: row.incidentId, jobId: job.id, outcome: 'saved', changed: [...Object.keys(change), ...(action.comment ? ['comment'] : [])] });
    // A row resumed between its change and its comment (a budget wait, a restart) sent only the
    // comment this time: the change it made earlier was noted then.
    return settle('done', updated && row.result !== null ? withComment(row.result, action.comment !== undefined) : { code: 'saved', change, commented: action.comment !== undefined });
  }

  /**
   * A call as the job's analyst, at background priority; what makes the job wait or pause becomes a
   * StopJob. A short wait for the budget is waited here, holding the job: a conflict check that needs
   * several pages must not start over each time the budget hands out one call.
   */
  private async call<T>(hold: { jobs: AnalystJobs; id: string }, account: JobAccount, fn: (source: IncidentSource, token: string) => Promise<T>, need: 'read' | 'write'): Promise<T> {
    for (;;) {
      try {
        return await this.access.run(account, need, fn, 'delta');
      } catch (err) {
        if (!(err instanceof BudgetExhaustedError) || this.stopping || err.retryAtMs - Date.now() > IN_PROCESS_WAIT_MS) throw this.stopFor(err);
        await hold.jobs.waited(hold.id);
        await sleep(Math.max(0, err.retryAtMs - Date.now()));
        if ((await hold.jobs.renew(hold.id, this.owner, this.o.leaseMs)) !== 'running') throw new StopJob({ kind: 'stopped' });
      }
    }
  }

  /** What an error of a call means for the job. */
  private stopFor(err: unknown): unknown {
    if (err instanceof BudgetExhaustedError) {
      const note: JobNote = err.reason === 'paused' ? { code: 'budgetPaused', atMs: err.retryAtMs } : { code: 'budgetBusy', atMs: err.retryAtMs };
      return new StopJob({ kind: 'later', atMs: err.retryAtMs, note, counted: 'budget_waits' });
    }
    if (err instanceof SecurityApiError && err.kind === 'throttled') {
      const atMs = Date.now() + (err.details.retryAfterSec ?? 30) * 1000;
      return new StopJob({ kind: 'later', atMs, note: { code: 'throttled', atMs }, counted: 'throttled' });
    }
    if (err instanceof InteractionRequiredError) {
      return new StopJob({ kind: 'paused', note: { code: 'signInAgain' } });
    }
    if (err instanceof ApiForbiddenError) {
      const reason = inEveryLanguage(() => {
        const page = forbiddenPage(err);
        return `${page.what} ${page.todo ?? ''}`.trim();
      });
      return new StopJob({ kind: 'paused', note: { code: 'forbidden', reason } });
    }
    return err;
  }
}

/** What the resolve policy said when it refused a change (build throws it), in the current locale. */
function refusalOf(build: () => unknown): string {
  try {
    build();
  } catch (err) {
    if (err instanceof ManageInputError) return err.message;
    throw err;
  }
  return '';
}

/** A row whose change was stored earlier, its comment now added too. */
function withComment(earlier: ItemResult, commented: boolean): ItemResult {
  if (earlier.code === 'saved') return { ...earlier, commented: earlier.commented || commented };
  // A row the runner left before outcomes were codes: its English sentence, extended as it was then.
  if (earlier.code === 'asWritten') return { code: 'asWritten', text: `${earlier.text.replace(/\.$/, '')}${commented ? '; comment added' : ''}.` };
  return earlier;
}
