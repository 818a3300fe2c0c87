import { t } from '../../i18n/i18n';
import type { Evidence } from '../model';

type Wire = Record<string, unknown>;

/** One displayed field: its label and the path to it in the wire object ("fileDetails.sha256"). */
type Field = [label: string, path: string];

/**
 * How each evidence type is shown: the fields that name it (first present wins) and the details
 * worth a line. Types missing here are shown generically, so a new Graph evidence type never
 * breaks a page.
 */
const SHAPES: Record<string, { name: string[]; details: Field[]; identity?: string[] }> = {
  device: { name: ['deviceDnsName', 'hostName', 'mdeDeviceId'], identity: ['mdeDeviceId', 'deviceDnsName'], details: [['OS', 'osPlatform'], ['Build', 'osBuild'], ['Risk', 'riskScore'], ['Device group', 'rbacGroupName'], ['Health', 'healthStatus'], ['Device id', 'mdeDeviceId']] },
  user: { name: ['userAccount.userPrincipalName', 'userAccount.accountName'], identity: ['userAccount.azureAdUserId', 'userAccount.userSid', 'userAccount.userPrincipalName', 'userAccount.accountName', 'userAccount.domainName'], details: [['Domain', 'userAccount.domainName'], ['SID', 'userAccount.userSid'], ['Entra object id', 'userAccount.azureAdUserId'], ['Name', 'userAccount.displayName']] },
  ip: { name: ['ipAddress'], details: [['Country', 'countryLetterCode']] },
  url: { name: ['url'], details: [] },
  file: { name: ['fileDetails.fileName'], identity: ['fileDetails.sha256', 'fileDetails.sha1', 'fileDetails.filePath', 'fileDetails.fileName'], details: [['Path', 'fileDetails.filePath'], ['SHA-256', 'fileDetails.sha256'], ['SHA-1', 'fileDetails.sha1'], ['Size', 'fileDetails.fileSize']] },
  process: { name: ['processCommandLine', 'imageFile.fileName'], identity: ['processId', 'processCreationDateTime', 'processCommandLine'], details: [['Process id', 'processId'], ['Parent process id', 'parentProcessId'], ['Image', 'imageFile.fileName'], ['Started', 'processCreationDateTime']] },
  mailbox: { name: ['primaryAddress', 'displayName'], identity: ['primaryAddress'], details: [['Name', 'displayName'], ['User', 'userAccount.userPrincipalName']] },
  analyzedMessage: { name: ['subject', 'internetMessageId'], identity: ['internetMessageId', 'subject'], details: [['From', 'p1Sender.emailAddress'], ['To', 'recipientEmailAddress'], ['Delivery', 'deliveryAction'], ['Message id', 'internetMessageId']] },
  mailCluster: { name: ['name', 'clusterByValue'], details: [['Clustered by', 'clusterBy'], ['Value', 'clusterByValue'], ['Messages', 'emailCount']] },
  registryKey: { name: ['registryKey'], details: [['Hive', 'registryHive']] },
  registryValue: { name: ['registryKey'], details: [['Hive', 'registryHive'], ['Value name', 'registryValueName'], ['Type', 'registryValueType'], ['Value', 'registryValue']] },
  securityGroup: { name: ['displayName', 'securityGroupId'], details: [['Group id', 'securityGroupId']] },
  cloudApplication: { name: ['displayName', 'appId'], details: [['App id', 'appId'], ['Instance', 'instanceName']] },
  oauthApplication: { name: ['displayName', 'appId'], details: [['App id', 'appId'], ['Publisher', 'publisher']] },
  azureResource: { name: ['resourceName', 'resourceId'], details: [['Type', 'resourceType'], ['Resource id', 'resourceId']] },
};

/**
 * The message key of each detail label above. The labels themselves stay English in the evidence:
 * they are stored in the index and name details to other code (the portal links, the index's
 * entities, the hunting pivots), so they are translated only where shown.
 */
const DETAIL_KEYS: Record<string, string> = {
  OS: 'os', Build: 'build', Risk: 'risk', 'Device group': 'deviceGroup', Health: 'health', 'Device id': 'deviceId', Domain: 'domain', SID: 'sid',
  'Entra object id': 'entraObjectId', Name: 'name', Country: 'country', Path: 'path', 'SHA-256': 'sha256', 'SHA-1': 'sha1', Size: 'size',
  'Process id': 'processId', 'Parent process id': 'parentProcessId', Image: 'image', Started: 'started', User: 'user', From: 'from', To: 'to',
  Delivery: 'delivery', 'Message id': 'messageId', 'Clustered by': 'clusteredBy', Value: 'value', Messages: 'messages', Hive: 'hive',
  'Value name': 'valueName', Type: 'type', 'Group id': 'groupId', 'App id': 'appId', Instance: 'instance', Publisher: 'publisher', 'Resource id': 'resourceId',
};

/** A detail's label in the reader's language; a type ThreatDesk does not know shows Graph's own field names, as they came. */
export function detailLabel(type: string, label: string): string {
  const key = SHAPES[type]?.details.some(([l]) => l === label) ? DETAIL_KEYS[label] : undefined;
  return key === undefined ? label : t(`incident:evidence.detail.${key}`);
}

/** Fields that are bookkeeping, never worth showing as a detail of an unknown type. */
const NOT_DETAILS = new Set(['@odata.type', 'createdDateTime', 'verdict', 'remediationStatus', 'remediationStatusDetails', 'roles', 'detailedRoles', 'tags']);

function at(obj: Wire, path: string): string | undefined {
  let v: unknown = obj;
  for (const part of path.split('.')) v = typeof v === 'object' && v !== null ? (v as Wire)[part] : undefined;
  return typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : undefined;
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

/** Maps one evidence item of the given type (Graph's type name without namespace and suffix). */
export function evidenceOf(type: string, wire: Wire): Evidence {
  const shape = SHAPES[type];
  const name = shape ? shape.name.map((p) => at(wire, p)).find(Boolean) : undefined;
  const details: [string, string][] = shape
    ? shape.details.flatMap(([label, path]) => {
        const v = at(wire, path);
        return v === undefined || v === name ? [] : [[label, v] as [string, string]];
      })
    : Object.entries(wire)
        .filter(([k, v]) => !NOT_DETAILS.has(k) && (typeof v === 'string' || typeof v === 'number') && v !== '')
        .slice(0, 8)
        .map(([k, v]) => [k, String(v)] as [string, string]);
  const shownName = name ?? details[0]?.[1] ?? type;
  return {
    type,
    // What makes two items the same thing (a device seen by several alerts, each with its own verdict).
    key: shape?.identity ? shape.identity.map((p) => at(wire, p) ?? '').join('|') : `${shownName}|${details.map((d) => d.join('=')).join('|')}`,
    name: shownName,
    details,
    verdict: at(wire, 'verdict') ?? null,
    remediationStatus: at(wire, 'remediationStatus') ?? null,
    roles: strings(wire.roles),
  };
}

/** `#microsoft.graph.security.deviceEvidence` → `device`. */
export function graphEvidenceType(odataType: unknown): string {
  const raw = typeof odataType === 'string' ? odataType : '';
  const last = raw.split('.').pop() ?? '';
  return last.replace(/Evidence$/, '') || 'unknown';
}

/** The legacy API's entity types, as Graph evidence types. */
const LEGACY_TYPES: Record<string, string> = {
  user: 'user',
  ip: 'ip',
  url: 'url',
  file: 'file',
  process: 'process',
  mailbox: 'mailbox',
  mailmessage: 'analyzedMessage',
  mailcluster: 'mailCluster',
  registry: 'registryValue',
  securitygroup: 'securityGroup',
};

/** Reshapes a legacy entity (flat fields) into the Graph evidence shape, then maps it. */
export function legacyEntityEvidence(entity: Wire): Evidence {
  const rawType = typeof entity.entityType === 'string' ? entity.entityType : 'unknown';
  const type = LEGACY_TYPES[rawType.toLowerCase()] ?? rawType;
  const s = (k: string) => (typeof entity[k] === 'string' || typeof entity[k] === 'number' ? entity[k] : undefined);
  const shaped: Wire = {
    ...entity,
    userAccount: { userPrincipalName: s('userPrincipalName'), accountName: s('accountName'), domainName: s('domainName'), userSid: s('userSid'), azureAdUserId: s('aadUserId') },
    fileDetails: { fileName: s('fileName'), filePath: s('filePath'), sha256: s('sha256'), sha1: s('sha1') },
    primaryAddress: s('mailboxAddress'),
    displayName: s('mailboxDisplayName') ?? s('securityGroupName'),
    recipientEmailAddress: s('recipient'),
    p1Sender: { emailAddress: s('sender') },
    verdict: typeof entity.verdict === 'string' ? entity.verdict.charAt(0).toLowerCase() + entity.verdict.slice(1) : undefined,
    remediationStatus: typeof entity.remediationStatus === 'string' ? entity.remediationStatus.charAt(0).toLowerCase() + entity.remediationStatus.slice(1) : undefined,
  };
  return evidenceOf(type, shaped);
}

/** A legacy alert's device, as device evidence. */
export function legacyDeviceEvidence(device: Wire): Evidence {
  return evidenceOf('device', { ...device, mdeDeviceId: device.mdatpDeviceId });
}
