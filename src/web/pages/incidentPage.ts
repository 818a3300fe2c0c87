import type { SessionAccount } from '../../auth/tokenService';
import type { RunAsAnalyst } from '../../incidents/access';
import { labels } from '../../incidents/labels';
import { canManage, MAX_COMMENT, snapshotOf } from '../../incidents/manage';
import { CLASSIFICATIONS, DETERMINATIONS, isKnown, SETTABLE_STATUSES } from '../../incidents/model';
import type { PendingChange } from '../../incidents/pendingChange';
import { INCIDENT_ID } from '../../incidents/sources/source';
import { evidenceGroups, portalLink } from '../../incidents/view';
import { InvalidInputError } from '../inputErrors';
import { backQuery } from './queuePage';

export function parseIncidentId(raw: unknown): string {
  if (typeof raw !== 'string' || !INCIDENT_ID.test(raw)) {
    throw new InvalidInputError('incident-id', `“${String(raw).slice(0, 40)}” is not an incident id.`, '/incidents');
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

/** Everything the incident template shows: the incident as Microsoft has it now, and the manage form. */
export async function loadIncidentView(run: RunAsAnalyst, account: SessionAccount, id: string, extras: IncidentPageExtras = {}) {
  const incident = await run('read', (source, token) => source.get(token, id));
  const form = extras.form ?? extras.pending?.form;
  const snapshot = snapshotOf(incident);
  return {
    ...extras,
    title: `#${incident.id} ${incident.displayName}`,
    incident,
    evidence: evidenceGroups(incident),
    portal: portalLink(incident, account.tenantId),
    back: backQuery(extras.back ?? form?.back),
    snapshot,
    seen: Buffer.from(JSON.stringify(snapshot)).toString('base64url'),
    manageable: canManage(incident),
    // The status control preselects only a status the analyst could choose again.
    statusChosen: isKnown(SETTABLE_STATUSES, incident.status) ? incident.status : '',
    classifications: CLASSIFICATIONS,
    determinations: DETERMINATIONS,
    statuses: SETTABLE_STATUSES,
    maxComment: MAX_COMMENT,
    labels,
    form,
  };
}
