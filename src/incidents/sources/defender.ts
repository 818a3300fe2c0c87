import { t } from '../../i18n/i18n';
import { canonicalDetermination, canonicalMember, CLASSIFICATIONS, SEVERITIES, STATUSES, type Alert, type Incident, type IncidentChange } from '../model';
import type { QueueFilter } from '../queueFilter';
import { SecurityApiError } from './errors';
import { legacyDeviceEvidence, legacyEntityEvidence } from './evidence';
import type { ApiHttp } from './http';
import { odataFilter } from './odata';
import type { IncidentSource, ListContext, ListPage } from './source';

/** The legacy API's page limit (service-facts §1.2). */
export const DEFENDER_PAGE = 100;

type Wire = Record<string, unknown>;
const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
const objects = (v: unknown): Wire[] => (Array.isArray(v) ? v.filter((x): x is Wire => typeof x === 'object' && x !== null) : []);
const idOf = (v: unknown): string | null => (typeof v === 'number' && Number.isInteger(v) ? String(v) : typeof v === 'string' && /^\d{1,20}$/.test(v) ? v : null);
/** `MicrosoftDefenderForEndpoint` → `microsoftDefenderForEndpoint`, Graph's spelling of the same member. */
const camel = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v.charAt(0).toLowerCase() + v.slice(1) : null);

/**
 * The legacy API's older product names (service-facts §1.6), as the Graph members that replaced them,
 * so that labels and filters see one product whichever API answered.
 */
const SERVICE_SOURCES: Record<string, string> = {
  MicrosoftDefenderATP: 'microsoftDefenderForEndpoint',
  OfficeATP: 'microsoftDefenderForOffice365',
  MicrosoftCloudAppSecurity: 'microsoftDefenderForCloudApps',
  AADIdentityProtection: 'azureAdIdentityProtection',
  AzureATP: 'microsoftDefenderForIdentity',
};
const DETECTION_SOURCES: Record<string, string> = {
  WindowsDefenderAv: 'antivirus',
  WindowsDefenderAtp: 'microsoftDefenderForEndpoint',
  WindowsDefenderSmartScreen: 'smartScreen',
  CustomerTI: 'customTi',
  OfficeATP: 'microsoftDefenderForOffice365',
  MCAS: 'cloudAppSecurity',
  AAD: 'azureAdIdentityProtection',
  AzureATP: 'microsoftDefenderForIdentity',
};
const source = (table: Record<string, string>, v: unknown) => (typeof v === 'string' && Object.hasOwn(table, v) ? (table[v] ?? null) : camel(v));

/** The legacy API's determination spellings (its update page), by canonical name. */
const LEGACY_DETERMINATION: Record<string, string> = {
  notMalicious: 'Clean',
  notEnoughDataToValidate: 'NoEnoughDataToValidate',
};
const pascal = (v: string) => v.charAt(0).toUpperCase() + v.slice(1);

function alert(w: Wire): Alert {
  return {
    id: str(w.alertId) ?? '',
    title: str(w.title) ?? '',
    description: str(w.description),
    severity: canonicalMember(SEVERITIES, w.severity === 'UnSpecified' ? 'unknown' : w.severity, 'unknown'),
    status: camel(w.status) ?? 'unknown',
    serviceSource: source(SERVICE_SOURCES, w.serviceSource),
    detectionSource: source(DETECTION_SOURCES, w.detectionSource),
    category: str(w.category),
    mitreTechniques: strings(w.mitreTechniques),
    createdAt: str(w.creationTime),
    firstActivityAt: str(w.firstActivity),
    lastActivityAt: str(w.lastActivity),
    resolvedAt: str(w.resolvedTime),
    threatFamilyName: str(w.threatFamilyName),
    actorDisplayName: str(w.actorName),
    webUrl: null,
    evidence: [...objects(w.devices).map(legacyDeviceEvidence), ...objects(w.entities).filter((e) => typeof e.entityType === 'string').map(legacyEntityEvidence)],
  };
}

/** Maps a legacy incident; undefined when it lacks what every page needs (a numeric id and a last update). */
export function defenderIncident(w: unknown): Incident | undefined {
  if (typeof w !== 'object' || w === null) return undefined;
  const i = w as Wire;
  const id = idOf(i.incidentId);
  const lastUpdateAt = str(i.lastUpdateTime);
  if (!id || !lastUpdateAt) return undefined;
  const classification = canonicalMember(CLASSIFICATIONS, i.classification, '');
  const assignedTo = str(i.assignedTo);
  return {
    id,
    displayName: str(i.incidentName) ?? `Incident ${id}`,
    status: canonicalMember(STATUSES, i.status, 'unknown'),
    severity: canonicalMember(SEVERITIES, i.severity === 'UnSpecified' ? 'unknown' : i.severity, 'unknown'),
    classification: classification.toLowerCase() === 'unknown' ? '' : classification,
    determination: canonicalDetermination(i.determination),
    // One real fixture shows "Unassigned" after an update.
    assignedTo: assignedTo && assignedTo !== 'Unassigned' ? assignedTo : '',
    createdAt: str(i.createdTime),
    lastUpdateAt,
    redirectIncidentId: idOf(i.redirectIncidentId),
    webUrl: str(i.incidentUri),
    description: null,
    customTags: strings(i.tags),
    systemTags: [],
    comments: objects(i.comments).map((c) => ({ text: str(c.comment) ?? '', author: str(c.createdBy), createdAt: str(c.createdTime) })),
    alerts: objects(i.alerts).map(alert),
  };
}

/** The part of the queue filter the legacy API applies itself: status, assignedTo, lastUpdateTime. */
export function defenderFilter(f: QueueFilter, ctx: ListContext): string | undefined {
  // It knows no "awaiting action" (nor newer statuses): a filter that includes one is left to the app.
  const known = !f.status.includes('awaitingAction') && f.status.length < STATUSES.length - 1;
  return odataFilter(f, ctx, { statuses: known ? f.status.map(pascal) : undefined, updatedField: 'lastUpdateTime' });
}

/**
 * The Defender XDR API (`api.security.microsoft.com`), kept as a legacy source until it stops
 * working on 1 February 2027. It pages with `$skip`; a page shorter than asked is not taken as the
 * end (the server may page smaller), only an empty one is, unless it sends `@odata.nextLink`.
 */
export class DefenderSource implements IncidentSource {
  readonly api = 'defender' as const;

  constructor(private readonly http: ApiHttp) {}

  async list(token: string, filter: QueueFilter, ctx: ListContext, continuation?: string): Promise<ListPage> {
    let target: string;
    let skip = 0;
    if (continuation?.startsWith('skip:')) {
      skip = Number(continuation.slice(5));
      target = this.firstPage(filter, ctx, skip);
    } else {
      target = continuation ?? this.firstPage(filter, ctx, 0);
    }
    const { body } = await this.http.call(token, 'GET', target);
    const value = (body as { value?: unknown } | undefined)?.value;
    if (!Array.isArray(value)) throw new SecurityApiError('defender', 'malformed', 200, { apiMessage: t('errors:source.listShape') });
    const incidents = value.map(defenderIncident).filter((i): i is Incident => i !== undefined);
    const nextLink = (body as { '@odata.nextLink'?: unknown })['@odata.nextLink'];
    const next = typeof nextLink === 'string' ? nextLink : value.length > 0 && !continuation?.startsWith('http') ? `skip:${skip + value.length}` : undefined;
    return { incidents, skipped: value.length - incidents.length, next };
  }

  private firstPage(filter: QueueFilter, ctx: ListContext, skip: number): string {
    const params = new URLSearchParams({ $top: String(DEFENDER_PAGE) });
    const odata = defenderFilter(filter, ctx);
    if (odata) params.set('$filter', odata);
    if (skip) params.set('$skip', String(skip));
    return `/api/incidents?${params.toString()}`;
  }

  async get(token: string, id: string): Promise<Incident> {
    const { body } = await this.http.call(token, 'GET', `/api/incidents/${encodeURIComponent(id)}`);
    const incident = defenderIncident(body);
    if (!incident) throw new SecurityApiError('defender', 'malformed', 200, { apiMessage: t('errors:source.incidentShape') });
    return incident;
  }

  async update(token: string, id: string, change: IncidentChange): Promise<Incident | undefined> {
    const patch: Wire = {};
    if (change.status !== undefined) patch.status = pascal(change.status);
    if (change.assignedTo !== undefined) patch.assignedTo = change.assignedTo || null;
    if (change.classification !== undefined) patch.classification = pascal(change.classification);
    if (change.determination !== undefined) patch.determination = LEGACY_DETERMINATION[change.determination] ?? pascal(change.determination);
    if (change.customTags !== undefined) patch.tags = change.customTags;
    const { body } = await this.http.call(token, 'PATCH', `/api/incidents/${encodeURIComponent(id)}`, patch);
    return body === undefined ? undefined : defenderIncident(body);
  }

  async comment(token: string, id: string, text: string): Promise<void> {
    await this.http.call(token, 'PATCH', `/api/incidents/${encodeURIComponent(id)}`, { comment: text });
  }
}
