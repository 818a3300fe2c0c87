import { PERMISSIONS } from '../../auth/scopes';
import type { SessionAccount } from '../../auth/tokenService';
import type { RunAsAnalyst } from '../../defender/access';
import { assetsOf, portalLink } from '../../defender/incidentView';
import { CLASSIFICATIONS, DETERMINATIONS, MAX_COMMENT, SETTABLE_STATUSES, snapshotOf } from '../../defender/manage';
import type { Incident } from '../../defender/types';
import type { PendingChange } from '../../incidents/pendingChange';
import { InvalidInputError } from '../inputErrors';
import { backQuery } from './queuePage';

const ID = /^\d{1,15}$/;

export function parseIncidentId(raw: unknown): number {
  if (typeof raw !== 'string' || !ID.test(raw)) {
    throw new InvalidInputError('incident-id', `“${String(raw).slice(0, 40)}” is not an incident id.`, '/incidents');
  }
  return Number(raw);
}

export interface IncidentPageExtras {
  /** The queue filter to link back to, as the analyst's browser sent it (re-validated here). */
  back?: unknown;
  pending?: PendingChange;
  /** The manage form as submitted, when the page comes back after an error or conflict. */
  form?: Record<string, string>;
  [panel: string]: unknown;
}

/** Everything the incident template shows: the incident as Defender has it now, and the manage form. */
export async function loadIncidentView(run: RunAsAnalyst, account: SessionAccount, id: number, extras: IncidentPageExtras = {}) {
  const incident = await run(PERMISSIONS.read, (client, token) => client.getIncident(token, id));
  const form = extras.form ?? extras.pending?.form;
  const snapshot = snapshotOf(incident);
  return {
    ...extras,
    title: `#${incident.incidentId} ${incident.incidentName ?? ''}`,
    incident: incident as Incident,
    assets: assetsOf(incident),
    portal: portalLink(incident, account.tenantId),
    back: backQuery(extras.back ?? form?.back),
    snapshot,
    seen: Buffer.from(JSON.stringify(snapshot)).toString('base64url'),
    classifications: CLASSIFICATIONS,
    determinations: DETERMINATIONS,
    statuses: SETTABLE_STATUSES,
    maxComment: MAX_COMMENT,
    form,
  };
}
