import type { Device, Entity, Incident } from './types';

/** Entity types as the docs and real payloads spell them, folded to the page's groups. */
const GROUPS: Record<string, string> = {
  user: 'Users',
  ip: 'IP addresses',
  url: 'URLs',
  file: 'Files',
  process: 'Processes',
  mailbox: 'Mailboxes',
  mailmessage: 'Mail messages',
  mailcluster: 'Mail clusters',
  registry: 'Registry',
  securitygroup: 'Security groups',
};
export const ENTITY_GROUP_ORDER = Object.values(GROUPS);

/** The fields that identify an entity of each type, for de-duplication across alerts. */
const IDENTITY: Record<string, string[]> = {
  user: ['aadUserId', 'userSid', 'userPrincipalName', 'accountName', 'domainName'],
  ip: ['ipAddress'],
  url: ['url'],
  file: ['sha256', 'sha1', 'filePath', 'fileName'],
  process: ['processId', 'processCreationTime', 'processCommandLine', 'deviceId'],
  mailbox: ['mailboxAddress'],
  mailmessage: ['internetMessageId', 'sender', 'recipient', 'subject'],
  mailcluster: ['clusterBy', 'clusterByValue'],
  registry: ['registryHive', 'registryKey', 'registryValueType', 'registryValue'],
  securitygroup: ['securityGroupId', 'securityGroupName'],
};

export interface EntityGroup {
  name: string;
  entities: Entity[];
}

export function groupOf(entityType: string): string {
  return GROUPS[entityType.toLowerCase()] ?? 'Other';
}

function entityKey(e: Entity): string {
  const type = e.entityType.toLowerCase();
  const fields = IDENTITY[type] ?? Object.keys(e).sort();
  return `${type}|${fields.map((f) => String(e[f] ?? '')).join('|')}`;
}

/** Devices and entities of all alerts, each listed once (devices by id, entities by identifying fields). */
export function assetsOf(incident: Incident): { devices: Device[]; groups: EntityGroup[] } {
  const devices = new Map<string, Device>();
  const entities = new Map<string, Entity>();
  for (const alert of incident.alerts ?? []) {
    for (const d of alert.devices ?? []) devices.set(d.mdatpDeviceId ?? d.deviceDnsName ?? JSON.stringify(d), d);
    for (const e of alert.entities ?? []) {
      if (typeof e?.entityType === 'string') entities.set(entityKey(e), e);
    }
  }
  const byGroup = new Map<string, Entity[]>();
  for (const e of entities.values()) {
    const g = groupOf(e.entityType);
    byGroup.set(g, [...(byGroup.get(g) ?? []), e]);
  }
  const groups = [...ENTITY_GROUP_ORDER, 'Other'].filter((g) => byGroup.has(g)).map((name) => ({ name, entities: byGroup.get(name) as Entity[] }));
  return { devices: [...devices.values()], groups };
}

/** The portal link: the API's own incidentUri when present, else the documented URL shape. */
export function portalLink(incident: Incident, tenantId: string): string {
  if (incident.incidentUri && /^https:\/\/security\.microsoft\.com\//.test(incident.incidentUri)) return incident.incidentUri;
  return `https://security.microsoft.com/incidents/${incident.incidentId}?tid=${encodeURIComponent(tenantId)}`;
}
