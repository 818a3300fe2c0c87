import { DEFAULT_FILTER, STATUSES, type QueueFilter, type Status } from '../incidents/queueFilter';
import { OPEN_STATUSES } from '../incidents/model';
import type { BackfillPhase } from '../index/incidentIndex';

export { OPEN_STATUSES };

/**
 * What each sync step asks the API for, as queue filters (the adapters already turn those into each
 * API's $filter, from validated values only). The API's filtering narrows what is read; the index
 * stores whatever comes back, whatever the API applied.
 */

const CLOSED_STATUSES: Status[] = STATUSES.filter((s) => !OPEN_STATUSES.includes(s));
export const DAY_MS = 86_400_000;
/** The queue's longest window. */
export const BACKFILL_DAYS = 183;
/** The first backfill step: closed incidents updated this recently. */
export const RECENT_DAYS = 30;

const base: QueueFilter = { ...DEFAULT_FILTER, severity: [], assignee: { kind: 'anyone' } };
const iso = (ms: number) => new Date(ms).toISOString();

/** Open incidents, whatever their age: the first fill, and what a reconcile compares. */
export const openIncidents = (): QueueFilter => ({ ...base, status: OPEN_STATUSES, window: '6m' });

/** Everything updated from `fromMs` on (a delta read). */
export const updatedSince = (fromMs: number): QueueFilter => ({ ...base, status: [...STATUSES], window: 'custom', from: iso(fromMs) });

/** The closed incidents of a backfill step (open ones came with the first fill). */
export function backfillStep(phase: Exclude<BackfillPhase, 'open' | 'done'>, nowMs: number): QueueFilter {
  if (phase === 'recent') return { ...base, status: CLOSED_STATUSES, window: 'custom', from: iso(nowMs - RECENT_DAYS * DAY_MS) };
  return { ...base, status: CLOSED_STATUSES, window: 'custom', from: iso(nowMs - BACKFILL_DAYS * DAY_MS), to: iso(nowMs - RECENT_DAYS * DAY_MS) };
}

export const NEXT_PHASE: Record<BackfillPhase, BackfillPhase> = { open: 'recent', recent: 'older', older: 'done', done: 'done' };
