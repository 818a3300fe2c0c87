import { ALERT_SEVERITY_ORDER, COMMAND_LINES, EXTERNAL_SENDERS, FILES, MALICIOUS_URLS, PHISH_SUBJECTS, REGISTRY_KEYS, SENSITIVE_GROUPS, type AlertTemplate, type EntityKind } from '../catalog';
import type { AlertSeverity, Device, Entity } from '../model';
import { itemAt } from '../../lists';
import type { Rng } from '../prng';
import { formatTicks } from '../timestamps';
import type { AlertContext } from './alerts';
import { RBAC_GROUP_IDS, type FleetDevice, type TenantProfile } from './profile';

/** The devices and evidence (entities) of one alert. */

export function deviceJson(rng: Rng, d: FleetDevice, severity: AlertSeverity): Device {
  const risk = ['None', 'Informational', 'Low', 'Medium', 'High'];
  const riskIndex = Math.min(4, Math.max(0, ALERT_SEVERITY_ORDER.indexOf(severity) + 1 + rng.int(-1, 1)));
  return {
    mdatpDeviceId: d.mdatpDeviceId,
    aadDeviceId: d.aadDeviceId,
    deviceDnsName: d.deviceDnsName,
    osPlatform: d.osPlatform,
    version: d.version,
    osProcessor: d.osProcessor,
    osBuild: d.osBuild,
    healthStatus: rng.weighted([
      ['Active', 12],
      ['Inactive', 1],
      ['ImpairedCommunication', 1],
      ['NoSensorData', 1],
    ]),
    riskScore: itemAt(risk, riskIndex, 'risk scores'),
    rbacGroupName: d.group,
    rbacGroupId: RBAC_GROUP_IDS[d.group],
    firstSeen: d.firstSeen,
    tags: d.tags,
    defenderAvStatus: rng.weighted([
      ['Updated', 10],
      ['NotUpdated', 1],
      ['Disabled', 1],
    ]),
    onboardingStatus: 'Onboarded',
    vmMetadata: d.vmMetadata,
  };
}

function externalIp(rng: Rng): string {
  return `${rng.pick(['203.0.113', '198.51.100', '192.0.2'])}.${rng.int(1, 254)}`;
}

export function entitiesFor(
  rng: Rng,
  profile: TenantProfile,
  t: AlertTemplate,
  c: AlertContext,
  devices: Device[],
  creationMs: number,
  legacy: boolean,
): Entity[] {
  const kinds = [...t.entities];
  if (rng.chance(0.3)) kinds.push(rng.pick(t.entities));
  const deviceId = () => (devices.length ? rng.pick(devices).mdatpDeviceId : undefined);
  const base = (entityType: string) => ({
    entityType,
    evidenceCreationTime: formatTicks(creationMs + rng.int(0, 120_000), rng.int(0, 9999)),
    verdict: rng.weighted([
      ['Suspicious', 5],
      ['Malicious', 3],
      ['Unknown', 1],
      ['NoThreatsFound', 1],
    ]),
    remediationStatus: rng.weighted([
      ['None', 6],
      ['Remediated', 2],
      ['Prevented', 2],
      ['Blocked', 1],
      ['NotFound', 1],
    ]),
  });
  const person = rng.chance(0.8) ? c.person : rng.pick(profile.people);
  const file = rng.pick(FILES);
  return kinds.map((kind: EntityKind): Entity => {
    switch (kind) {
      case 'User':
        return {
          ...base('User'),
          accountName: person.accountName,
          domainName: profile.netbios,
          userSid: person.userSid,
          aadUserId: person.aadUserId,
          userPrincipalName: person.upn,
          deviceId: t.service === 'endpoint' ? deviceId() : undefined,
        };
      case 'Ip':
        return { ...base('Ip'), ipAddress: t.service === 'identity' && rng.chance(0.5) ? `10.0.${rng.int(1, 30)}.${rng.int(2, 250)}` : externalIp(rng) };
      case 'Url':
        return { ...base('Url'), url: `${rng.pick(MALICIOUS_URLS)}${rng.hex(8)}` };
      case 'File':
        return {
          ...base('File'),
          sha1: rng.hex(40),
          sha256: rng.hex(64),
          fileName: file.name,
          filePath: file.dir.replace('{user}', person.accountName),
          deviceId: deviceId(),
        };
      case 'Process': {
        const startMs = creationMs - rng.int(5_000, 600_000);
        const commandLine = rng.pick(COMMAND_LINES).replace('{user}', person.accountName);
        const image = itemAt(commandLine.split(/\s+/), 0, 'command line').replace(/"/g, '');
        return {
          ...base('Process'),
          processId: rng.int(400, 32_000),
          processCommandLine: commandLine,
          processCreationTime: formatTicks(startMs, rng.int(0, 9999)),
          parentProcessId: rng.int(400, 32_000),
          parentProcessCreationTime: formatTicks(startMs - rng.int(1_000, 3_600_000), rng.int(0, 9999)),
          fileName: image.split('\\').pop(),
          sha1: rng.hex(40),
          deviceId: deviceId(),
        };
      }
      case 'Mailbox':
        // The docs spell it MailBox; real 2024 payloads say Mailbox. Older incidents keep the old spelling.
        return { ...base(legacy ? 'MailBox' : 'Mailbox'), mailboxDisplayName: person.displayName, mailboxAddress: person.upn };
      case 'MailMessage': {
        const sender = rng.pick(EXTERNAL_SENDERS);
        return {
          ...base('MailMessage'),
          sender,
          recipient: person.upn,
          subject: rng.pick(PHISH_SUBJECTS),
          deliveryAction: rng.weighted([
            ['Delivered', 5],
            ['Junked', 2],
            ['Blocked', 2],
            ['Replaced', 1],
          ]),
          internetMessageId: `<${rng.hex(16).toUpperCase()}.${rng.hex(8)}@${sender.split('@')[1]}>`,
        };
      }
      case 'MailCluster':
        return {
          ...base('MailCluster'),
          clusterBy: rng.pick(['Subject;SenderDomain;ContentType', 'Subject;P2SenderDomain', 'Url']),
          clusterByValue: rng.hex(40),
          emailCount: rng.int(2, 180),
        };
      case 'Registry':
        return {
          ...base('Registry'),
          registryHive: rng.pick(['HKEY_LOCAL_MACHINE', 'HKEY_CURRENT_USER']),
          registryKey: rng.pick(REGISTRY_KEYS),
          registryValueType: rng.pick(['String', 'ExpandString', 'Dword']),
          registryValue: `C:\\Users\\Public\\${file.name}`,
          deviceId: deviceId(),
        };
      case 'SecurityGroup': {
        const name = rng.pick(SENSITIVE_GROUPS);
        return {
          ...base('SecurityGroup'),
          securityGroupId: `${person.userSid.split('-').slice(0, 7).join('-')}-${512 + SENSITIVE_GROUPS.indexOf(name)}`,
          securityGroupName: name,
        };
      }
    }
  });
}

