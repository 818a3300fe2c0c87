import type { TenantProfile } from '../defender/generate';
import type { Alert, Incident } from '../defender/model';
import { hash32 } from '../defender/prng';
import {
  graphClassification,
  graphDetectionSource,
  graphDetermination,
  graphServiceSource,
  graphSeverity,
  graphStatus,
  lowerFirst,
  type EnumOptions,
} from './enums';
import { alertEvidence } from './evidence';

/**
 * The Graph view of a stored incident (resources/security-incident.md, security-alert.md): string ids,
 * camelCase enums, `customTags`/`systemTags`, comments as alertComment, and `alerts` only when expanded.
 * Unlike the Defender API's sparse payloads, Graph sends every property, null when it has no value.
 */

type Json = Record<string, unknown>;

export interface ViewOptions extends EnumOptions {
  expandAlerts: boolean;
}

/** Read-only system tags, derived from the incident (as the service sets them). */
function systemTags(profile: TenantProfile, incident: Incident): string[] {
  const h = hash32(profile.seed, profile.tenantId, 'system-tags', incident.incidentId);
  const tags: string[] = [];
  if (h % 7 === 0) tags.push('Defender Experts');
  if (incident.severity === 'High' && (h >>> 3) % 3 === 0) tags.push('Attack Disruption');
  if (incident.alerts.some((a) => a.category === 'InitialAccess' && a.serviceSource.includes('Office')) && (h >>> 6) % 2 === 0) tags.push('Credential Phish');
  return tags;
}

/** Graph's rich-text summary; most generated incidents carry one, drawn from their first alert. */
function description(profile: TenantProfile, incident: Incident): string | null {
  const first = incident.alerts[0];
  if (!first || hash32(profile.seed, profile.tenantId, 'description', incident.incidentId) % 3 === 0) return null;
  return `${first.description} ${incident.alerts.length > 1 ? `Microsoft correlated ${incident.alerts.length} alerts into this incident.` : ''}`.trim();
}

export function alertObject(profile: TenantProfile, incident: Incident, alert: Alert, index: number, options: EnumOptions): Json {
  const tenantId = profile.tenantId;
  return {
    id: alert.alertId,
    providerAlertId: alert.providerAlertId,
    incidentId: String(alert.incidentId),
    status: lowerFirst(alert.status),
    severity: lowerFirst(alert.severity),
    classification: graphClassification(alert.classification),
    determination: graphDetermination(alert.determination),
    serviceSource: graphServiceSource(alert.serviceSource, options),
    detectionSource: graphDetectionSource(alert.detectionSource, options),
    detectorId: alert.detectorId,
    tenantId,
    title: alert.title,
    description: alert.description,
    recommendedActions: null,
    category: alert.category,
    assignedTo: alert.assignedTo ?? null,
    alertWebUrl: `https://security.microsoft.com/alerts/${encodeURIComponent(alert.alertId)}?tid=${tenantId}`,
    incidentWebUrl: incident.incidentUri,
    actorDisplayName: alert.actorName ?? null,
    threatDisplayName: alert.threatFamilyName ? `${alert.threatFamilyName}` : null,
    threatFamilyName: alert.threatFamilyName ?? null,
    mitreTechniques: alert.mitreTechniques,
    createdDateTime: alert.creationTime,
    lastUpdateDateTime: alert.lastUpdatedTime,
    resolvedDateTime: alert.resolvedTime ?? null,
    firstActivityDateTime: alert.firstActivity,
    lastActivityDateTime: alert.lastActivity,
    comments: [],
    evidence: alertEvidence(profile, incident.incidentId, index, alert),
    systemTags: [],
  };
}

/** The comments as Graph writes them (alertComment). */
export function commentObjects(incident: Incident): Json[] {
  return incident.comments.map((c) => ({ comment: c.comment, createdByDisplayName: c.createdBy, createdDateTime: c.createdTime }));
}

export function incidentObject(profile: TenantProfile, incident: Incident, options: ViewOptions): Json {
  const json: Json = {
    id: String(incident.incidentId),
    tenantId: profile.tenantId,
    status: graphStatus(incident.status, options),
    incidentWebUrl: incident.incidentUri,
    redirectIncidentId: incident.redirectIncidentId === undefined ? null : String(incident.redirectIncidentId),
    displayName: incident.incidentName,
    createdDateTime: incident.createdTime,
    lastUpdateDateTime: incident.lastUpdateTime,
    assignedTo: incident.assignedTo ?? null,
    classification: graphClassification(incident.classification),
    determination: graphDetermination(incident.determination),
    severity: graphSeverity(incident.severity),
    customTags: incident.tags,
    systemTags: systemTags(profile, incident),
    description: description(profile, incident),
    comments: commentObjects(incident),
  };
  if (options.expandAlerts) json.alerts = incident.alerts.map((a, i) => alertObject(profile, incident, a, i, options));
  return json;
}

/** Serialised list entries, per stored incident object (stored incidents are replaced, never changed, on update). */
const listCache = new WeakMap<Incident, Map<string, string>>();

/** The incident's JSON text; list entries (no alerts) are cached. */
export function incidentJson(profile: TenantProfile, incident: Incident, options: ViewOptions): string {
  if (options.expandAlerts) return JSON.stringify(incidentObject(profile, incident, options));
  const key = options.includeUnknownMembers ? 'all' : 'base';
  let texts = listCache.get(incident);
  const cached = texts?.get(key);
  if (cached !== undefined) return cached;
  const text = JSON.stringify(incidentObject(profile, incident, options));
  if (!texts) listCache.set(incident, (texts = new Map<string, string>()));
  texts.set(key, text);
  return text;
}
