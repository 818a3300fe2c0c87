import { t } from '../i18n/i18n';
import type { Incident } from '../incidents/model';
import type { HistoryEntry } from '../index/incidentIndex';
import { historyLine } from './activity';

/**
 * "Since your last visit": what changed on an incident after the analyst last looked at it, from
 * the index's history and the incident's own times. The analyst's own changes and comments are not
 * news to them.
 */

const after = (when: string | null, since: string) => when !== null && Date.parse(when) > Date.parse(since);
const mine = (by: string | null, me: string) => by !== null && by.toLowerCase() === me.toLowerCase();

/** The queue row's marker: changed since the analyst opened the incident, else new or changed since their last visit of the queue. */
export function queueMark(row: { createdAt: string | null; lastUpdateAt: string }, openedAt: string | undefined, queueSince: string | null): string | undefined {
  if (openedAt !== undefined) return after(row.lastUpdateAt, openedAt) ? t('queue:mark.updatedSinceOpened') : undefined;
  if (queueSince === null) return undefined;
  if (after(row.createdAt, queueSince)) return t('queue:mark.newSinceVisit');
  return after(row.lastUpdateAt, queueSince) ? t('queue:mark.updatedSinceVisit') : undefined;
}

export interface SinceVisit {
  /** The previous visit (ISO). */
  at: string;
  newAlerts: number;
  newComments: number;
  /** Changes in words ("Status: Active → In progress"), oldest first. */
  changes: string[];
}

/** What is new on the incident since `before` for analyst `me`; undefined on a first visit or when nothing is. */
export function sinceVisit(incident: Incident, history: HistoryEntry[], before: string | null, me: string): SinceVisit | undefined {
  if (before === null) return undefined;
  const newAlerts = (incident.alerts ?? []).filter((a) => after(a.createdAt, before)).length;
  const newComments = incident.comments.filter((c) => after(c.createdAt, before) && !mine(c.author, me)).length;
  const changes = history
    .filter((h) => h.field !== 'created' && after(h.observedAt, before) && !mine(h.changedBy, me))
    .map((h) => {
      const line = historyLine(h);
      return t('queue:sinceVisit.change', { field: line.field, from: line.from, to: line.to });
    });
  if (newAlerts === 0 && newComments === 0 && changes.length === 0) return undefined;
  return { at: before, newAlerts, newComments, changes };
}
