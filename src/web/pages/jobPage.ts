import type { SessionAccount } from '../../auth/tokenService';
import { currentLocale, DEFAULT_LANGUAGE, intl, t } from '../../i18n/i18n';
import { labels } from '../../incidents/labels';
import { MAX_COMMENT, savedText, snapshotOf } from '../../incidents/manage';
import { CLASSIFICATIONS, DETERMINATIONS, SETTABLE_STATUSES } from '../../incidents/model';
import { parseFilter } from '../../incidents/queueFilter';
import { indexQueryOf } from '../../incidents/queueQuery';
import type { SlaTargets } from '../../incidents/sla';
import { INCIDENT_ID } from '../../incidents/sources/source';
import type { IndexQuery, IndexRow } from '../../index/incidentIndex';
import { describeAction } from '../../jobs/bulkAction';
import type { ItemResult, ItemState, JobNote, JobStore, NewJob, Worded } from '../../jobs/jobStore';
import type { IndexSync } from '../../sync/indexSync';
import { InvalidInputError } from '../inputErrors';
import { backQuery } from './queuePage';
import { asQuery } from './queueViews';

/** The most incidents one job may change: a larger set is better narrowed first (and would take hours at Graph's pace). */
export const MAX_JOB_INCIDENTS = 5_000;
/** How far a delta may lag: the index is as Microsoft was at its last sync's start, a little before to be safe. */
const INDEX_LAG_MS = 120_000;
const ROWS_PER_PAGE = 200;
const JOB_ID = /^[0-9a-f-]{36}$/;

/** What the analyst picked in the queue: some rows, or everything the view matches. */
export interface Selection {
  ids: string[];
  all: boolean;
  /** The queue view (a serialized filter), re-validated. */
  view: string;
}

const list = (v: unknown): unknown[] => (Array.isArray(v) ? (v as unknown[]) : v === undefined ? [] : [v]);

export function parseSelection(input: Record<string, unknown>): Selection {
  const view = backQuery(input.view);
  const ids = [...new Set(list(input.ids).filter((id): id is string => typeof id === 'string' && INCIDENT_ID.test(id)))];
  const all = input.all === '1';
  const back = view ? `/incidents?${view}` : '/incidents';
  if (!all && ids.length === 0) throw new InvalidInputError('selection', t('jobs:error.noSelection'), back);
  return { ids, all, view };
}

/** The view's filter, repeated keys kept (status=active&status=inProgress). */
const filterOf = (view: string) => parseFilter(asQuery(view));

/**
 * What a selection reads in the index: ticked rows whatever they became since (a row that changed
 * is skipped with why), or the view as it matches now.
 */
const selectionQuery = (sel: Selection, targets: SlaTargets): IndexQuery =>
  sel.all ? indexQueryOf(filterOf(sel.view), Date.now(), targets) : { ids: sel.ids.slice(0, MAX_JOB_INCIDENTS + 1) };

/** The selected incidents as the analyst's index has them now (what each row's conflict check compares with). */
async function selectedRows(sync: IndexSync, account: SessionAccount, sel: Selection, targets: SlaTargets): Promise<IndexRow[]> {
  const part = sync.indexOf(account);
  const query = selectionQuery(sel, targets);
  const rows: IndexRow[] = [];
  for (let page = 1; rows.length <= MAX_JOB_INCIDENTS; page++) {
    const got = await part.query({ ...query, page, pageSize: 500 });
    rows.push(...got.rows);
    if (got.rows.length < 500) break;
  }
  return rows;
}

/** The bulk form: how many incidents, a few of their names, and the fields. */
export async function loadBulkView(sync: IndexSync, account: SessionAccount, sel: Selection, targets: SlaTargets, extras: { form?: Record<string, string>; error?: { field: string; text: string }; underWay?: string } = {}) {
  // A few names and the count: the rows themselves are read when the job is stored.
  const { rows, total } = await sync.indexOf(account).query({ ...selectionQuery(sel, targets), page: 1, pageSize: 8 });
  return {
    title: t('jobs:form.heading', { count: total }),
    selection: sel,
    count: total,
    tooMany: total > MAX_JOB_INCIDENTS,
    maxIncidents: MAX_JOB_INCIDENTS,
    sample: rows,
    back: sel.view ? `/incidents?${sel.view}` : '/incidents',
    statuses: SETTABLE_STATUSES,
    classifications: CLASSIFICATIONS,
    determinations: DETERMINATIONS,
    maxComment: MAX_COMMENT,
    labels,
    form: extras.form ?? {},
    manageError: extras.error,
    underWay: extras.underWay,
  };
}

/** The job to store for a selection: each incident with the version and values the analyst saw. */
export async function newJob(sync: IndexSync, account: SessionAccount, sel: Selection, targets: SlaTargets, id: string, action: NewJob['action']): Promise<NewJob> {
  const rows = await selectedRows(sync, account, sel, targets);
  const back = sel.view ? `/incidents?${sel.view}` : '/incidents';
  if (rows.length === 0) throw new InvalidInputError('selection', t('jobs:error.noneLeft'), back);
  if (rows.length > MAX_JOB_INCIDENTS) throw new InvalidInputError('selection', t('jobs:error.tooMany', { max: intl().number(MAX_JOB_INCIDENTS) }), back);
  const asOf = (await sync.indexOf(account).syncState())?.lastDeltaAt;
  return {
    id,
    account: { homeAccountId: account.homeAccountId, tenantId: account.tenantId, oid: account.oid, username: account.username, name: account.name },
    action,
    view: sel.view,
    checkedFrom: new Date((asOf ? Date.parse(asOf) : Date.now()) - INDEX_LAG_MS),
    items: rows.map((r) => ({ incidentId: r.id, displayName: r.displayName, base: r.lastUpdateAt, seen: snapshotOf(r) })),
  };
}

export function parseJobId(raw: unknown): string {
  if (typeof raw !== 'string' || !JOB_ID.test(raw)) throw new InvalidInputError('job-id', t('jobs:error.notYours'), '/jobs');
  return raw;
}

const SHOW: Record<string, ItemState[] | undefined> = { all: undefined, skipped: ['skipped'], failed: ['failed'], pending: ['pending'], done: ['done'] };

/** The progress page: the job, its counts, and its rows (200 at a time, or only some outcomes). */
export async function loadJobView(jobs: JobStore, account: SessionAccount, id: string, query: { show?: unknown; page?: unknown }) {
  const mine = jobs.forAnalyst(account);
  const job = await mine.get(id);
  if (job === undefined) throw new InvalidInputError('job-id', t('jobs:error.noSuchJob'), '/jobs');
  const show = typeof query.show === 'string' && query.show in SHOW ? query.show : 'all';
  const page = Math.max(1, Math.min(1_000, Number.parseInt(typeof query.page === 'string' ? query.page : '1', 10) || 1));
  const shownTotal = show === 'all' ? job.total : job.counts[show as ItemState];
  const items = await mine.items(id, { states: SHOW[show], limit: ROWS_PER_PAGE, offset: (page - 1) * ROWS_PER_PAGE });
  const finished = job.total - job.counts.pending;
  const pages = Math.max(1, Math.ceil(shownTotal / ROWS_PER_PAGE));
  const pageHref = (p: number) => `/jobs/${id}?${new URLSearchParams({ show, page: String(p) }).toString()}`;
  return {
    title: t('jobs:job.title', { finished, count: job.total }),
    // What the runner stored as codes, worded for this reader.
    job: { ...job, note: noteText(job.note) },
    what: describeAction(job.action, account.username),
    finished,
    items: items.map((i) => ({ ...i, result: resultText(i.result) })),
    show,
    page,
    pages,
    prevHref: page > 1 ? pageHref(page - 1) : undefined,
    nextHref: page < pages ? pageHref(page + 1) : undefined,
    // Stored as backQuery() re-serialized it when the job was started.
    back: job.view ? `/incidents?${job.view}` : '/incidents',
    live: job.state === 'running',
  };
}

/** The analyst's latest jobs, with what each did in words. */
export async function loadJobList(jobs: JobStore, account: SessionAccount) {
  const recent = await jobs.forAnalyst(account).recent(20);
  return { title: t('jobs:list.title'), jobs: recent.map((j) => ({ ...j, what: describeAction(j.action, account.username) })) };
}

/** Text kept in every language (see Worded), in the reader's; English when theirs was added since. */
const inReadersLanguage = (worded: Worded): string => worded[currentLocale().lang] ?? worded[DEFAULT_LANGUAGE] ?? '';

/** What happened to one incident, in words. */
export function resultText(result: ItemResult | null): string {
  if (result === null) return '';
  switch (result.code) {
    case 'gone':
      return t('jobs:result.gone');
    case 'merged':
      return t('jobs:result.merged', { id: result.into });
    case 'refused':
      return t('jobs:result.refused', { reason: inReadersLanguage(result.reason) });
    case 'changed': {
      const changes = inReadersLanguage(result.changes);
      return changes ? t('jobs:result.changedWhat', { changes }) : t('jobs:result.changed');
    }
    case 'alreadyAsAsked':
      return t('jobs:result.alreadyAsAsked');
    case 'notVisible':
      return t('jobs:result.notVisible');
    case 'apiRefused':
      return t('jobs:result.apiRefused', { reason: result.reason });
    case 'gaveUp':
      return t('jobs:result.gaveUp', { attempts: result.attempts, error: result.error });
    case 'saved':
      return savedText(result.change, result.commented);
    case 'asWritten':
      return result.text;
  }
}

/** Why the job waits or paused, in words; times in the reader's zone. */
export function noteText(note: JobNote | null): string | null {
  if (note === null) return null;
  switch (note.code) {
    case 'cancelled':
      return t('jobs:note.cancelled');
    case 'unexpected':
      return t('jobs:note.unexpected');
    case 'retrying':
      return t('jobs:note.retrying', { id: note.incidentId, kind: note.kind, time: intl().time(note.atMs) });
    case 'budgetPaused':
      return t('jobs:note.budgetPaused', { time: intl().time(note.atMs) });
    case 'budgetBusy':
      return t('jobs:note.budgetBusy', { time: intl().time(note.atMs) });
    case 'throttled':
      return t('jobs:note.throttled', { time: intl().time(note.atMs) });
    case 'signInAgain':
      return t('jobs:note.signInAgain');
    case 'forbidden':
      return t('jobs:note.forbidden', { reason: inReadersLanguage(note.reason) });
    case 'asWritten':
      return note.text;
  }
}
