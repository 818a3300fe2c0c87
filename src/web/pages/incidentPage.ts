import type { SessionAccount } from '../../auth/tokenService';
import { intl, t } from '../../i18n/i18n';
import type { RunAsAnalyst } from '../../incidents/access';
import { labels } from '../../incidents/labels';
import { canManage, MAX_COMMENT, snapshotOf, verdictOf } from '../../incidents/manage';
import { CLASSIFICATIONS, DETERMINATIONS, isKnown, SETTABLE_STATUSES } from '../../incidents/model';
import type { Evidence, Incident } from '../../incidents/model';
import { huntHref } from '../../hunting/huntForm';
import { incidentWindow, pivotsFor } from '../../hunting/library';
import type { PendingChange } from '../../incidents/pendingChange';
import { SecurityApiError } from '../../incidents/sources/errors';
import type { AnalystIndex, IncidentClocks } from '../../index/incidentIndex';
import { durationText } from '../../metrics/charts';
import type { IndexSync } from '../../sync/indexSync';
import { passing, syncProblem } from '../../sync/syncErrors';
import { activityOf } from '../activity';
import { sinceVisit } from '../sinceVisit';
import { detailLabel } from '../../incidents/sources/evidence';
import { INCIDENT_ID } from '../../incidents/sources/source';
import { assetPortalLink, assetsAndEvidence, portalLink, sharedEvidence } from '../../incidents/view';
import { InvalidInputError } from '../inputErrors';
import { ageText, backQuery } from './queuePage';
import { DEFAULT_FILTER, isFreeText, serializeFilter, SEVERITIES, STATUSES } from '../../incidents/queueFilter';

export function parseIncidentId(raw: unknown): string {
  if (typeof raw !== 'string' || !INCIDENT_ID.test(raw)) {
    throw new InvalidInputError('incident-id', t('incident:notAnId', { value: String(raw).slice(0, 40) }), '/incidents');
  }
  return raw;
}

export interface IncidentPageExtras {
  /** The queue filter to link back to, as the analyst's browser sent it (re-validated here). */
  back?: unknown;
  pending?: PendingChange;
  /** The manage form as submitted, when the page comes back after an error or conflict. */
  form?: Record<string, string>;
  [panel: string]: unknown;
}

/**
 * The incident from the analyst's index; it is read again from the API (within the budget) only
 * when the index has no alerts for it, the incident changed since they were read, or it was read
 * longer ago than the sync interval. When no call can be made now, the stored version is shown
 * with its age rather than an error.
 */
async function readIncident(run: RunAsAnalyst, part: AnalystIndex, id: string, maxAgeMs: number): Promise<{ incident: Incident; staleNote?: string }> {
  const entry = await part.entry(id);
  // The page an analyst acts from is never older than the sync interval.
  if (entry?.alertsCurrent && Date.now() - Date.parse(entry.seenAt) < maxAgeMs) return { incident: entry.incident };
  try {
    const incident = await run('read', (source, token) => source.get(token, id));
    await part.upsert([incident], new Date());
    return { incident };
  } catch (err) {
    if (err instanceof SecurityApiError && err.kind === 'not-found' && entry !== undefined) await part.remove([id]);
    if (entry === undefined || !(err instanceof Error) || !passing(err)) throw err;
    return { incident: entry.incident, staleNote: t('incident:stale', { problem: syncProblem(err), at: intl().dateTime(entry.seenAt, true) }) };
  }
}

/** "After 30 min (estimated)": how long after its creation the incident was acknowledged and resolved, as the metrics count it. */
export function timesOf(incident: Incident, clocks: IncidentClocks | undefined): { acknowledged?: string; resolved?: string } {
  const created = incident.createdAt === null ? NaN : Date.parse(incident.createdAt);
  const after = (at: string | null, estimated: boolean) => {
    if (at === null || Number.isNaN(created)) return undefined;
    const duration = durationText(Math.max(0, Date.parse(at) - created));
    return estimated ? t('incident:facts.afterCreationEstimated', { duration }) : t('incident:facts.afterCreation', { duration });
  };
  return { acknowledged: after(clocks?.acknowledgedAt ?? null, clocks?.ackEstimated ?? false), resolved: after(clocks?.resolvedAt ?? null, clocks?.resolvedEstimated ?? false) };
}

/** Evidence the queue's search finds incidents by (the index's entities). */
const PIVOT_TYPES = new Set(['device', 'user', 'ip', 'url', 'file', 'mailbox']);

/** The queue, over every status and severity of the last 6 months, searched for this evidence; undefined when it cannot be searched for. */
export function pivotHref(type: string, name: string): string | undefined {
  if (!PIVOT_TYPES.has(type) || name.trim() === '' || !isFreeText(name)) return undefined;
  return `/incidents?${serializeFilter({ ...DEFAULT_FILTER, status: [...STATUSES], severity: [...SEVERITIES], q: name })}`;
}

/** Everything the incident template shows: the incident from the analyst's index, its history, and the manage form. */
export async function loadIncidentView(run: RunAsAnalyst, sync: IndexSync, account: SessionAccount, id: string, extras: IncidentPageExtras = {}) {
  const part = sync.indexOf(account);
  const [{ incident, staleNote }, fresh] = await Promise.all([readIncident(run, part, id, sync.intervalMs), sync.freshness(account)]);
  const [history, lastVisit, clocks] = await Promise.all([part.history(id), part.recordVisit(id, new Date(sync.now())), part.clocks(id)]);
  const form = extras.form ?? extras.pending?.form;
  const snapshot = snapshotOf(incident);
  const window = incidentWindow(incident, sync.now());
  return {
    ...extras,
    title: `#${incident.id} ${incident.displayName}`,
    incident,
    staleNote,
    age: fresh.asOf === null ? undefined : ageText(fresh.asOf, Date.now()),
    activity: activityOf(incident.comments, history),
    sinceVisit: sinceVisit(incident, history, lastVisit, account.username),
    times: timesOf(incident, clocks),
    ...assetsAndEvidence(incident),
    assetPortalLink,
    linkedBy: sharedEvidence(incident),
    portal: portalLink(incident, account.tenantId),
    back: backQuery(extras.back ?? form?.back),
    snapshot,
    verdictNow: verdictOf(snapshot),
    seen: Buffer.from(JSON.stringify(snapshot)).toString('base64url'),
    manageable: canManage(incident),
    // The status control preselects only a status the analyst could choose again.
    statusChosen: isKnown(SETTABLE_STATUSES, incident.status) ? incident.status : '',
    classifications: CLASSIFICATIONS,
    determinations: DETERMINATIONS,
    statuses: SETTABLE_STATUSES,
    maxComment: MAX_COMMENT,
    pivotHref,
    // Each evidence item's Hunt links: the built-in queries for it, over the incident's own time.
    huntLinks: (type: string, e: Evidence) => pivotsFor(type, e, window).map((p) => ({ name: p.name, href: huntHref(p.form) })),
    labels,
    // Evidence details keep their English labels (other code names details by them): the page shows them translated.
    detailLabel,
    form,
  };
}
