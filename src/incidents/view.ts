import { labels } from './labels';
import type { Evidence, Incident } from './model';

/** The order the incident page lists evidence groups in, as the portal's Assets and Evidence tabs do. */
const GROUP_ORDER = ['device', 'user', 'mailbox', 'cloudApplication', 'oauthApplication', 'azureResource', 'ip', 'url', 'file', 'process', 'analyzedMessage', 'mailCluster', 'registryKey', 'registryValue', 'securityGroup'];

export interface EvidenceGroup {
  type: string;
  label: string;
  items: Evidence[];
}

/** Evidence of all alerts, each listed once, grouped by type (known types first, in the portal's order). */
export function evidenceGroups(incident: Incident): EvidenceGroup[] {
  const byType = new Map<string, Map<string, Evidence>>();
  for (const alert of incident.alerts ?? []) {
    for (const e of alert.evidence) {
      const group = byType.get(e.type) ?? new Map<string, Evidence>();
      if (!group.has(e.key)) group.set(e.key, e);
      byType.set(e.type, group);
    }
  }
  const rank = (t: string) => (GROUP_ORDER.includes(t) ? GROUP_ORDER.indexOf(t) : GROUP_ORDER.length);
  return [...byType.entries()]
    .sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b))
    .map(([type, items]) => ({ type, label: labels.evidence(type), items: [...items.values()] }));
}

/** What the portal lists under Assets (the rest of the evidence is under Evidence). */
export const ASSET_TYPES = new Set(['device', 'user', 'mailbox', 'cloudApplication', 'oauthApplication', 'azureResource']);

/** Evidence groups split as the portal's incident page does: Assets, then Evidence. */
export function assetsAndEvidence(incident: Incident): { assets: EvidenceGroup[]; evidence: EvidenceGroup[] } {
  const groups = evidenceGroups(incident);
  return { assets: groups.filter((g) => ASSET_TYPES.has(g.type)), evidence: groups.filter((g) => !ASSET_TYPES.has(g.type)) };
}

/**
 * Why each alert sits in the incident, as far as its evidence tells: what it shares with the
 * incident's other alerts (Graph does not say how Microsoft's correlation linked them).
 */
export function sharedEvidence(incident: Incident): Map<string, string[]> {
  const alerts = incident.alerts ?? [];
  const keyOf = (e: Evidence) => `${e.type}|${e.key}`;
  const holders = new Map<string, number>();
  for (const a of alerts) for (const k of new Set(a.evidence.map(keyOf))) holders.set(k, (holders.get(k) ?? 0) + 1);
  return new Map(
    alerts.map((a) => {
      const shared = new Map<string, Evidence>();
      for (const e of a.evidence) if ((holders.get(keyOf(e)) ?? 0) > 1) shared.set(keyOf(e), e);
      return [a.id, [...shared.values()].map((e) => `${labels.evidence(e.type)} ${e.name}`)];
    }),
  );
}

/** An asset's own page in the Defender portal, where its evidence carries the id the portal uses: devices and users (and an Azure resource's in the Azure portal). */
export function assetPortalLink(e: Evidence): string | undefined {
  const detail = (label: string) => e.details.find((d) => d[0] === label)?.[1];
  const device = e.type === 'device' ? detail('Device id') : undefined;
  if (device) return `https://security.microsoft.com/machines/${encodeURIComponent(device)}`;
  const user = e.type === 'user' ? detail('Entra object id') : undefined;
  if (user) return `https://security.microsoft.com/user?aad=${encodeURIComponent(user)}`;
  const resource = e.type === 'azureResource' ? detail('Resource id') : undefined;
  if (resource && /^\/subscriptions\/[^\s"<>]+$/i.test(resource)) return `https://portal.azure.com/#resource${resource}`;
  return undefined;
}

/** The portal link: the API's own when it points at the portal, else the documented URL shape. */
export function portalLink(incident: Pick<Incident, 'id' | 'webUrl'>, tenantId: string): string {
  if (incident.webUrl && /^https:\/\/security\.microsoft\.com\//.test(incident.webUrl)) return incident.webUrl;
  return `https://security.microsoft.com/incidents/${encodeURIComponent(incident.id)}?tid=${encodeURIComponent(tenantId)}`;
}

/** Per-incident figures the queue and the export show, from the alerts. */
export interface IncidentStats {
  sources: string[];
  activeAlerts: number;
  totalAlerts: number;
  devices: number;
  users: number;
  firstActivity: string | undefined;
  lastActivity: string | undefined;
}

/**
 * What a queue row and the CSV show of an incident: the incident without its alerts, comments and
 * description (a tenth of its size), with the figures taken from its alerts, or null when the
 * source did not return them.
 */
export interface QueueRow extends Omit<Incident, 'alerts' | 'comments' | 'description'> {
  stats: IncidentStats | null;
}

export function queueRowOf(i: Incident): QueueRow {
  const { alerts: _alerts, comments: _comments, description: _description, ...row } = i;
  return { ...row, stats: incidentStats(i) };
}

function incidentStats(i: Incident): IncidentStats | null {
  const alerts = i.alerts;
  if (!alerts) return null;
  const sources = new Set<string>();
  const devices = new Set<string>();
  const users = new Set<string>();
  let first: string | undefined;
  let last: string | undefined;
  for (const a of alerts) {
    if (a.serviceSource) sources.add(a.serviceSource);
    for (const e of a.evidence) {
      if (e.type === 'device') devices.add(e.name);
      if (e.type === 'user') users.add(e.name);
    }
    if (a.firstActivityAt && (!first || a.firstActivityAt < first)) first = a.firstActivityAt;
    if (a.lastActivityAt && (!last || a.lastActivityAt > last)) last = a.lastActivityAt;
  }
  return {
    sources: [...sources],
    activeAlerts: alerts.filter((a) => a.status !== 'resolved').length,
    totalAlerts: alerts.length,
    devices: devices.size,
    users: users.size,
    firstActivity: first,
    lastActivity: last,
  };
}
