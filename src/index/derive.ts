import type { Alert, Incident } from '../incidents/model';

/**
 * What the index stores beside the incident document: the alert-level columns the queue filters
 * on, and the entities search finds an incident by. Both come from the alerts, so an incident read
 * without alerts (Graph lists never expand them) keeps what an earlier read with alerts found.
 */

export interface Entity {
  kind: 'user' | 'device' | 'ip' | 'url' | 'file' | 'sha256' | 'sha1' | 'mailbox';
  value: string;
}

export const normalise = (v: string) => v.trim().toLowerCase();

const distinct = (values: (string | null | undefined)[]) => [...new Set(values.filter((v): v is string => typeof v === 'string' && v !== ''))].sort();

const detail = (details: [string, string][], label: string) => details.find(([l]) => l === label)?.[1];

export function alertColumns(alerts: Alert[] | undefined) {
  const list = alerts ?? [];
  const evidence = list.flatMap((a) => a.evidence);
  return {
    service_sources: distinct(list.map((a) => a.serviceSource)),
    detection_sources: distinct(list.map((a) => a.detectionSource)),
    categories: distinct(list.map((a) => a.category)),
    device_groups: distinct(evidence.filter((e) => e.type === 'device').map((e) => detail(e.details, 'Device group'))),
  };
}

/** The searchable identifiers of an incident's evidence, normalised and each listed once. */
export function entitiesOf(incident: Incident): Entity[] {
  const found = new Map<string, Entity>();
  const add = (kind: Entity['kind'], raw: string | undefined) => {
    if (raw === undefined) return;
    const value = normalise(raw);
    if (value !== '') found.set(`${kind}\u0000${value}`, { kind, value });
  };
  for (const e of (incident.alerts ?? []).flatMap((a) => a.evidence)) {
    switch (e.type) {
      case 'user':
        add('user', e.name);
        break;
      case 'device':
        add('device', e.name);
        break;
      case 'ip':
        add('ip', e.name);
        break;
      case 'url':
        add('url', e.name);
        break;
      case 'file':
        add('file', e.name);
        add('sha256', detail(e.details, 'SHA-256'));
        add('sha1', detail(e.details, 'SHA-1'));
        break;
      case 'process':
        add('file', detail(e.details, 'Image'));
        break;
      case 'mailbox':
        add('mailbox', e.name);
        add('user', detail(e.details, 'User'));
        break;
      case 'analyzedMessage':
        add('mailbox', detail(e.details, 'From'));
        add('mailbox', detail(e.details, 'To'));
        break;
      default:
        break;
    }
  }
  return [...found.values()];
}

const acknowledged = (i: Incident) => i.assignedTo.trim() !== '' || i.status !== 'active';

/**
 * When an incident read for the first time already resolved (acknowledged) was resolved
 * (acknowledged), as best its document tells: Graph records neither. Resolved: its latest alert's
 * resolution, else its last update. Acknowledged: its last update (at the latest then), or its
 * resolution when earlier. Null when it is not so.
 */
export function estimatedClocks(i: Incident): { resolvedAt: Date | null; acknowledgedAt: Date | null } {
  const updated = Date.parse(i.lastUpdateAt);
  const created = i.createdAt === null ? -Infinity : Date.parse(i.createdAt);
  const alertsResolved = (i.alerts ?? []).map((a) => (a.resolvedAt === null ? NaN : Date.parse(a.resolvedAt))).filter((t) => !Number.isNaN(t));
  const resolved = i.status === 'resolved' ? Math.max(created, Math.min(updated, alertsResolved.length ? Math.max(...alertsResolved) : updated)) : null;
  const ack = acknowledged(i) ? Math.min(updated, resolved ?? updated) : null;
  return { resolvedAt: resolved === null ? null : new Date(resolved), acknowledgedAt: ack === null ? null : new Date(ack) };
}
