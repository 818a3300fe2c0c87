import { t } from '../../i18n/i18n';
import { canonicalDetermination, canonicalMember, CLASSIFICATIONS, SEVERITIES, STATUSES, type Alert, type Comment, type Incident, type IncidentChange } from '../model';
import type { QueueFilter } from '../queueFilter';
import { SecurityApiError } from './errors';
import { evidenceOf, graphEvidenceType } from './evidence';
import type { ApiHttp } from './http';
import { odataFilter } from './odata';
import type { IncidentSource, ListContext, ListPage } from './source';

/** Graph refuses a larger page on incidents (400, "The limit of '50' for Top query has been exceeded"). */
export const GRAPH_PAGE = 50;

type Wire = Record<string, unknown>;
const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
const objects = (v: unknown): Wire[] => (Array.isArray(v) ? v.filter((x): x is Wire => typeof x === 'object' && x !== null) : []);

function comment(w: Wire): Comment {
  // The doc examples still show the old key names beside the documented ones.
  return { text: str(w.comment) ?? '', author: str(w.createdByDisplayName) ?? str(w.createdBy), createdAt: str(w.createdDateTime) ?? str(w.createdTime) };
}

function alert(w: Wire): Alert {
  return {
    id: str(w.id) ?? '',
    title: str(w.title) ?? '',
    description: str(w.description),
    severity: canonicalMember(SEVERITIES, w.severity, 'unknown'),
    status: str(w.status) ?? 'unknown',
    serviceSource: str(w.serviceSource),
    detectionSource: str(w.detectionSource),
    category: str(w.category),
    mitreTechniques: strings(w.mitreTechniques),
    createdAt: str(w.createdDateTime),
    firstActivityAt: str(w.firstActivityDateTime),
    lastActivityAt: str(w.lastActivityDateTime),
    resolvedAt: str(w.resolvedDateTime),
    threatFamilyName: str(w.threatFamilyName),
    actorDisplayName: str(w.actorDisplayName),
    webUrl: str(w.alertWebUrl),
    evidence: objects(w.evidence).map((e) => evidenceOf(graphEvidenceType(e['@odata.type']), e)),
  };
}

/** Maps a Graph incident; undefined when it lacks what every page needs (an id and a last update). */
export function graphIncident(w: unknown): Incident | undefined {
  if (typeof w !== 'object' || w === null) return undefined;
  const i = w as Wire;
  const id = typeof i.id === 'number' ? String(i.id) : str(i.id);
  const lastUpdateAt = str(i.lastUpdateDateTime);
  if (!id || !lastUpdateAt) return undefined;
  const classification = canonicalMember(CLASSIFICATIONS, i.classification, '');
  return {
    id,
    displayName: str(i.displayName) ?? `Incident ${id}`,
    status: canonicalMember(STATUSES, i.status, 'unknown'),
    severity: canonicalMember(SEVERITIES, i.severity, 'unknown'),
    classification: classification === 'unknown' || classification === 'unknownFutureValue' ? '' : classification,
    determination: canonicalDetermination(i.determination),
    assignedTo: str(i.assignedTo) ?? '',
    createdAt: str(i.createdDateTime),
    lastUpdateAt,
    redirectIncidentId: typeof i.redirectIncidentId === 'number' ? String(i.redirectIncidentId) : str(i.redirectIncidentId),
    webUrl: str(i.incidentWebUrl),
    description: str(i.description),
    customTags: strings(i.customTags),
    systemTags: strings(i.systemTags),
    comments: objects(i.comments).map(comment),
    alerts: Array.isArray(i.alerts) ? objects(i.alerts).map(alert) : undefined,
  };
}

/** The part of the queue filter Graph applies itself ($filter fields of security-list-incidents). */
export function graphFilter(f: QueueFilter, ctx: ListContext): string | undefined {
  return odataFilter(f, ctx, { statuses: f.status.length < STATUSES.length ? f.status : undefined, updatedField: 'lastUpdateDateTime' });
}

/** The Microsoft Graph security API (v1.0), ThreatDesk's default source. */
export class GraphSource implements IncidentSource {
  readonly api = 'graph' as const;

  constructor(private readonly http: ApiHttp) {}

  async list(token: string, filter: QueueFilter, ctx: ListContext, continuation?: string): Promise<ListPage> {
    let target = continuation;
    if (target === undefined) {
      const params = new URLSearchParams({ $top: String(GRAPH_PAGE), $count: 'true' });
      const odata = graphFilter(filter, ctx);
      if (odata) params.set('$filter', odata);
      target = `/v1.0/security/incidents?${params.toString()}`;
    }
    const { body } = await this.http.call(token, 'GET', target);
    const value = (body as { value?: unknown } | undefined)?.value;
    if (!Array.isArray(value)) throw new SecurityApiError('graph', 'malformed', 200, { apiMessage: t('errors:source.listShape') });
    const incidents = value.map(graphIncident).filter((i): i is Incident => i !== undefined);
    const envelope = body as { '@odata.nextLink'?: unknown; '@odata.count'?: unknown };
    return {
      incidents,
      skipped: value.length - incidents.length,
      next: typeof envelope['@odata.nextLink'] === 'string' ? envelope['@odata.nextLink'] : undefined,
      total: typeof envelope['@odata.count'] === 'number' ? envelope['@odata.count'] : undefined,
    };
  }

  async get(token: string, id: string): Promise<Incident> {
    const { body } = await this.http.call(token, 'GET', `/v1.0/security/incidents/${encodeURIComponent(id)}?$expand=alerts`);
    const incident = graphIncident(body);
    if (!incident) throw new SecurityApiError('graph', 'malformed', 200, { apiMessage: t('errors:source.incidentShape') });
    return incident;
  }

  async update(token: string, id: string, change: IncidentChange): Promise<Incident | undefined> {
    const { body } = await this.http.call(token, 'PATCH', `/v1.0/security/incidents/${encodeURIComponent(id)}`, change);
    return body === undefined ? undefined : graphIncident(body);
  }

  async comment(token: string, id: string, text: string): Promise<void> {
    // The answer is the incident's whole comment collection; nothing in it is needed here.
    await this.http.call(token, 'POST', `/v1.0/security/incidents/${encodeURIComponent(id)}/comments`, {
      '@odata.type': 'microsoft.graph.security.alertComment',
      comment: text,
    });
  }
}
