import { createHash } from 'node:crypto';
import type { Alert, Entity, Incident } from '../defender/model';
import type { Column, ColumnType, Row, Table } from './engine';

/**
 * Advanced hunting's tables, with the real column names and types (the Defender XDR schema
 * reference), filled from the incidents the caller may see: every device, user, file, address,
 * URL and message of their alerts' evidence left events around the alert's time. So a query
 * pivoting from an incident finds that incident's activity, and nothing the caller's role hides.
 */

const col = (spec: string): Column[] =>
  spec
    .trim()
    .split(/\s*,\s*/)
    .map((pair) => {
      const [name, type] = pair.split(':') as [string, ColumnType];
      return { name, type };
    });

export const SCHEMAS: Record<string, Column[]> = {
  DeviceProcessEvents: col(`Timestamp:datetime, DeviceId:string, DeviceName:string, ActionType:string, FileName:string, FolderPath:string, SHA1:string, SHA256:string,
    ProcessId:long, ProcessCommandLine:string, AccountDomain:string, AccountName:string, AccountUpn:string, InitiatingProcessFileName:string, InitiatingProcessId:long, ReportId:long`),
  DeviceNetworkEvents: col(`Timestamp:datetime, DeviceId:string, DeviceName:string, ActionType:string, RemoteIP:string, RemotePort:int, RemoteUrl:string, LocalIP:string,
    LocalPort:int, Protocol:string, InitiatingProcessFileName:string, InitiatingProcessAccountName:string, ReportId:long`),
  DeviceLogonEvents: col(`Timestamp:datetime, DeviceId:string, DeviceName:string, ActionType:string, LogonType:string, AccountDomain:string, AccountName:string, AccountSid:string,
    Protocol:string, IsLocalAdmin:bool, RemoteIP:string, ReportId:long`),
  DeviceFileEvents: col(`Timestamp:datetime, DeviceId:string, DeviceName:string, ActionType:string, FileName:string, FolderPath:string, SHA1:string, SHA256:string,
    FileSize:long, InitiatingProcessFileName:string, InitiatingProcessAccountName:string, ReportId:long`),
  EmailEvents: col(`Timestamp:datetime, NetworkMessageId:string, InternetMessageId:string, SenderFromAddress:string, SenderFromDomain:string, RecipientEmailAddress:string,
    Subject:string, EmailDirection:string, DeliveryAction:string, AttachmentCount:int, UrlCount:int, ReportId:string`),
  IdentityLogonEvents: col(`Timestamp:datetime, ActionType:string, Application:string, LogonType:string, Protocol:string, AccountName:string, AccountDomain:string,
    AccountUpn:string, AccountObjectId:string, DeviceName:string, IPAddress:string, ReportId:string`),
  AlertInfo: col(`Timestamp:datetime, AlertId:string, Title:string, Category:string, Severity:string, ServiceSource:string, DetectionSource:string, AttackTechniques:string`),
  AlertEvidence: col(`Timestamp:datetime, AlertId:string, Title:string, ServiceSource:string, DetectionSource:string, EntityType:string, EvidenceRole:string, FileName:string,
    FolderPath:string, SHA1:string, SHA256:string, RemoteIP:string, RemoteUrl:string, AccountName:string, AccountDomain:string, AccountUpn:string, DeviceId:string,
    DeviceName:string, NetworkMessageId:string, EmailSubject:string, ProcessCommandLine:string`),
};

const MINUTE = 60_000;
const str = (v: string | number | undefined) => (v === undefined ? '' : String(v));
/** A stable number from text, for ids and ports that must not change between calls. */
const hashNumber = (s: string, mod: number) => parseInt(createHash('sha256').update(s).digest('hex').slice(0, 12), 16) % mod;
const messageId = (e: Entity) => createHash('sha256').update(str(e.internetMessageId)).digest('hex').slice(0, 32).replace(/^(.{8})(.{4})(.{4})(.{4})/, '$1-$2-$3-$4-');

/** Every alert's rows, for one table each. */
function rowsOf(alert: Alert, domain: string): Record<string, Row[]> {
  const t = Date.parse(alert.creationTime);
  const out: Record<string, Row[]> = Object.fromEntries(Object.keys(SCHEMAS).map((k) => [k, []]));
  const push = (table: string, row: Row) => out[table]?.push(Object.fromEntries((SCHEMAS[table] ?? []).map((c) => [c.name, row[c.name] ?? (c.type === 'string' ? '' : null)])));
  const report = (s: string) => hashNumber(`${alert.alertId}|${s}`, 1_000_000);
  const of = (type: string) => alert.entities.filter((e) => e.entityType.toLowerCase() === type);
  const users = of('user');
  const account = users[0];
  push('AlertInfo', {
    Timestamp: t, AlertId: alert.alertId, Title: alert.title, Category: alert.category, Severity: alert.severity,
    ServiceSource: alert.serviceSource, DetectionSource: alert.detectionSource, AttackTechniques: JSON.stringify(alert.mitreTechniques),
  });
  const devices = alert.devices.map((d) => ({ DeviceId: d.mdatpDeviceId, DeviceName: d.deviceDnsName }));
  for (const e of alert.entities) {
    const device = alert.devices.find((d) => d.mdatpDeviceId === e.deviceId) ?? alert.devices[0];
    push('AlertEvidence', {
      Timestamp: Date.parse(e.evidenceCreationTime), AlertId: alert.alertId, Title: alert.title, ServiceSource: alert.serviceSource, DetectionSource: alert.detectionSource,
      EntityType: e.entityType, EvidenceRole: ['user', 'machine', 'mailbox'].includes(e.entityType.toLowerCase()) ? 'Impacted' : 'Related',
      FileName: str(e.fileName), FolderPath: str(e.filePath), SHA1: str(e.sha1), SHA256: str(e.sha256), RemoteIP: str(e.ipAddress), RemoteUrl: str(e.url),
      AccountName: str(e.accountName), AccountDomain: str(e.domainName), AccountUpn: str(e.userPrincipalName ?? e.mailboxAddress ?? e.recipient),
      DeviceId: str(device?.mdatpDeviceId), DeviceName: str(device?.deviceDnsName),
      NetworkMessageId: e.internetMessageId === undefined ? '' : messageId(e), EmailSubject: str(e.subject), ProcessCommandLine: str(e.processCommandLine),
    });
  }
  for (const d of devices) {
    const who = { AccountDomain: domain, AccountName: str(account?.accountName), AccountUpn: str(account?.userPrincipalName) };
    // What ran on the device: the alert's processes and files, after a routine start.
    push('DeviceProcessEvents', { ...d, ...who, Timestamp: t - 10 * MINUTE, ActionType: 'ProcessCreated', FileName: 'svchost.exe', FolderPath: 'C:\\Windows\\System32', ProcessId: 1000 + report('svchost') % 30_000, InitiatingProcessFileName: 'services.exe', ReportId: report('svchost') });
    for (const [i, e] of [...of('process'), ...of('file')].entries()) {
      push('DeviceProcessEvents', {
        ...d, ...who, Timestamp: t - (i + 1) * MINUTE, ActionType: 'ProcessCreated', FileName: str(e.fileName), FolderPath: str(e.filePath), SHA1: str(e.sha1), SHA256: str(e.sha256),
        ProcessId: Number(e.processId ?? 1000 + (report(`p${i}`) % 30_000)), ProcessCommandLine: str(e.processCommandLine ?? e.fileName), InitiatingProcessFileName: 'explorer.exe', ReportId: report(`p${i}`),
      });
    }
    for (const [i, e] of of('file').entries()) {
      push('DeviceFileEvents', {
        ...d, Timestamp: t - 2 * MINUTE - i * 1000, ActionType: 'FileCreated', FileName: str(e.fileName), FolderPath: str(e.filePath), SHA1: str(e.sha1), SHA256: str(e.sha256),
        FileSize: 10_000 + report(`f${i}`) % 5_000_000, InitiatingProcessFileName: 'msedge.exe', InitiatingProcessAccountName: str(account?.accountName), ReportId: report(`f${i}`),
      });
    }
    for (const [i, e] of [...of('ip'), ...of('url')].entries()) {
      push('DeviceNetworkEvents', {
        ...d, Timestamp: t + (i + 1) * 30_000, ActionType: 'ConnectionSuccess', RemoteIP: str(e.ipAddress), RemotePort: e.url ? 443 : 445 + (report(`n${i}`) % 2) * 3944, RemoteUrl: str(e.url),
        LocalIP: `10.1.${report('ip') % 250}.${1 + (report('ip2') % 250)}`, LocalPort: 49152 + (report(`l${i}`) % 16_000), Protocol: 'Tcp', InitiatingProcessFileName: 'powershell.exe',
        InitiatingProcessAccountName: str(account?.accountName), ReportId: report(`n${i}`),
      });
    }
    for (const [i, u] of users.entries()) {
      push('DeviceLogonEvents', {
        ...d, Timestamp: t - 5 * MINUTE - i * 1000, ActionType: 'LogonSuccess', LogonType: 'Interactive', AccountDomain: str(u.domainName), AccountName: str(u.accountName),
        AccountSid: str(u.userSid), Protocol: 'Negotiate', IsLocalAdmin: false, ReportId: report(`u${i}`),
      });
    }
  }
  for (const [i, u] of users.entries()) {
    push('IdentityLogonEvents', {
      Timestamp: t - 15 * MINUTE - i * 1000, ActionType: 'LogonSuccess', Application: 'Active Directory', LogonType: 'Resource access', Protocol: 'Kerberos',
      AccountName: str(u.accountName), AccountDomain: str(u.domainName), AccountUpn: str(u.userPrincipalName), AccountObjectId: str(u.aadUserId),
      DeviceName: str(devices[0]?.DeviceName), IPAddress: str(of('ip')[0]?.ipAddress ?? '10.0.0.5'), ReportId: `${alert.alertId}-${i}`,
    });
  }
  for (const e of of('mailmessage')) {
    const sender = str(e.sender);
    push('EmailEvents', {
      Timestamp: t - 10 * MINUTE, NetworkMessageId: messageId(e), InternetMessageId: str(e.internetMessageId), SenderFromAddress: sender, SenderFromDomain: sender.split('@')[1] ?? '',
      RecipientEmailAddress: str(e.recipient), Subject: str(e.subject), EmailDirection: 'Inbound', DeliveryAction: str(e.deliveryAction), AttachmentCount: 1, UrlCount: of('url').length,
      ReportId: `${messageId(e)}-${report('mail')}`,
    });
  }
  return out;
}

/** The tables as `incidents` make them, rows within [from, to] only (the query's time range). */
export function huntingTables(incidents: Incident[], domain: string, from: number, to: number): Record<string, Table> {
  const tables: Record<string, Table> = Object.fromEntries(Object.entries(SCHEMAS).map(([name, columns]) => [name, { columns, rows: [] as Row[] }]));
  for (const alert of incidents.flatMap((i) => i.alerts)) {
    for (const [name, rows] of Object.entries(rowsOf(alert, domain))) {
      tables[name]?.rows.push(...rows.filter((r) => typeof r.Timestamp === 'number' && r.Timestamp >= from && r.Timestamp <= to));
    }
  }
  return tables;
}
