import { t } from '../i18n/i18n';
import type { Evidence, Incident } from '../incidents/model';
import { localMinute, MAX_SPAN_MS, type HuntForm } from './huntForm';

/**
 * A KQL string literal holding `value` exactly: double-quoted, with backslash escapes for the
 * characters that would end or bend it. Evidence names go into queries only through this.
 */
export function kqlString(value: string): string {
  return `"${value.replace(/[\\"\n\r\t]/g, (c) => ({ '\\': '\\\\', '"': '\\"', '\n': '\\n', '\r': '\\r', '\t': '\\t' })[c] ?? c)}"`;
}

/** What a built-in query pivots on: an evidence type of the incident page. */
export type PivotType = 'device' | 'user' | 'file' | 'ip' | 'url' | 'mailbox' | 'analyzedMessage';

/** A built-in query; its words are message keys, translated where they are shown (this list is built once, in no request). */
export interface BuiltInQuery {
  id: string;
  nameKey: string;
  descriptionKey: string;
  on: PivotType;
  /** What the value is, in the library's example ("<device name>"). */
  valueKey: string;
  query: (value: string) => string;
}

/** The built-in library: the pivots an analyst makes from an incident's evidence most often. */
export const BUILT_IN: readonly BuiltInQuery[] = [
  {
    id: 'device-processes',
    nameKey: 'hunting:library.deviceProcesses.name',
    descriptionKey: 'hunting:library.deviceProcesses.description',
    on: 'device',
    valueKey: 'hunting:library.value.deviceName',
    query: (v) => `DeviceProcessEvents\n| where DeviceName =~ ${kqlString(v)}\n| project Timestamp, DeviceName, ActionType, FileName, ProcessCommandLine, AccountName, SHA256\n| order by Timestamp asc`,
  },
  {
    id: 'device-network',
    nameKey: 'hunting:library.deviceNetwork.name',
    descriptionKey: 'hunting:library.deviceNetwork.description',
    on: 'device',
    valueKey: 'hunting:library.value.deviceName',
    query: (v) => `DeviceNetworkEvents\n| where DeviceName =~ ${kqlString(v)}\n| project Timestamp, DeviceName, ActionType, RemoteIP, RemotePort, RemoteUrl, InitiatingProcessFileName\n| order by Timestamp asc`,
  },
  {
    id: 'user-signins',
    nameKey: 'hunting:library.userSignins.name',
    descriptionKey: 'hunting:library.userSignins.description',
    on: 'user',
    valueKey: 'hunting:library.value.upn',
    query: (v) => `IdentityLogonEvents\n| where AccountUpn =~ ${kqlString(v)}\n| project Timestamp, AccountUpn, ActionType, LogonType, Application, DeviceName, IPAddress\n| order by Timestamp asc`,
  },
  {
    id: 'file-prevalence',
    nameKey: 'hunting:library.filePrevalence.name',
    descriptionKey: 'hunting:library.filePrevalence.description',
    on: 'file',
    valueKey: 'hunting:library.value.sha256',
    query: (v) => `DeviceFileEvents\n| where SHA256 == ${kqlString(v)}\n| summarize Devices = dcount(DeviceId), FirstSeen = min(Timestamp), LastSeen = max(Timestamp) by FileName`,
  },
  {
    id: 'ip-devices',
    nameKey: 'hunting:library.ipDevices.name',
    descriptionKey: 'hunting:library.ipDevices.description',
    on: 'ip',
    valueKey: 'hunting:library.value.ip',
    query: (v) => `DeviceNetworkEvents\n| where RemoteIP == ${kqlString(v)}\n| summarize Connections = count(), FirstSeen = min(Timestamp), LastSeen = max(Timestamp) by DeviceName`,
  },
  {
    id: 'url-devices',
    nameKey: 'hunting:library.urlDevices.name',
    descriptionKey: 'hunting:library.urlDevices.description',
    on: 'url',
    valueKey: 'hunting:library.value.url',
    query: (v) => `DeviceNetworkEvents\n| where RemoteUrl has ${kqlString(v)}\n| summarize Connections = count(), FirstSeen = min(Timestamp) by DeviceName, RemoteUrl`,
  },
  {
    id: 'mailbox-mail',
    nameKey: 'hunting:library.mailboxMail.name',
    descriptionKey: 'hunting:library.mailboxMail.description',
    on: 'mailbox',
    valueKey: 'hunting:library.value.email',
    query: (v) => `EmailEvents\n| where RecipientEmailAddress =~ ${kqlString(v)}\n| project Timestamp, SenderFromAddress, Subject, DeliveryAction, AttachmentCount\n| order by Timestamp asc`,
  },
  {
    id: 'email-recipients',
    nameKey: 'hunting:library.emailRecipients.name',
    descriptionKey: 'hunting:library.emailRecipients.description',
    on: 'analyzedMessage',
    valueKey: 'hunting:library.value.subject',
    query: (v) => `EmailEvents\n| where Subject == ${kqlString(v)}\n| summarize Recipients = make_set(RecipientEmailAddress), Messages = count() by SenderFromAddress, DeliveryAction`,
  },
];

export const builtIn = (id: string): BuiltInQuery | undefined => BUILT_IN.find((q) => q.id === id);

/** The value a built-in query pivots on for one evidence item: a file by its SHA-256, the rest by name. */
function pivotValue(on: PivotType, e: Evidence): string | undefined {
  const detail = (label: string) => e.details.find(([l]) => l === label)?.[1];
  const value = on === 'file' ? detail('SHA-256') : e.name;
  if (value === undefined || value.trim() === '' || value.length > 500) return undefined;
  // An item named by something else than what its query matches (an account name for a user, a
  // display name for a mailbox, a message id for an email) would find nothing: no link.
  if ((on === 'user' || on === 'mailbox') && !value.includes('@')) return undefined;
  if (on === 'analyzedMessage' && value === detail('Message id')) return undefined;
  return value;
}

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;

/**
 * The incident's time window for hunting: from an hour before its first activity (or creation) to
 * an hour after its last, never past now, and never more than the 30 days hunting keeps.
 */
export function incidentWindow(incident: Incident, now: number): { from: string; to: string } {
  const times = [incident.createdAt, incident.lastUpdateAt, ...(incident.alerts ?? []).flatMap((a) => [a.firstActivityAt, a.lastActivityAt, a.createdAt])]
    .map((at) => (at ? Date.parse(at) : NaN))
    .filter((ms) => !Number.isNaN(ms));
  const first = times.length ? Math.min(...times) : now - 86_400_000;
  const last = times.length ? Math.max(...times) : now;
  // Whole minutes, outward (so the window holds the first and last events), then the caps, so
  // that rounding never takes the range past now or beyond what the Hunting page accepts.
  const to = Math.min(Math.floor(now / MINUTE_MS), Math.ceil((last + HOUR_MS) / MINUTE_MS)) * MINUTE_MS;
  const from = Math.max(Math.floor((first - HOUR_MS) / MINUTE_MS) * MINUTE_MS, to - MAX_SPAN_MS);
  // Times ahead of this clock (skew) still leave an hour that ends now.
  return { from: localMinute(Math.min(from, to - HOUR_MS)), to: localMinute(to) };
}

export interface HuntPivot {
  name: string;
  form: HuntForm;
}

/** The built-in queries for one evidence item, prepared with its value and the incident's window. */
export function pivotsFor(type: string, e: Evidence, window: { from: string; to: string }): HuntPivot[] {
  return BUILT_IN.filter((q) => q.on === type).flatMap((q) => {
    const value = pivotValue(q.on, e);
    return value === undefined ? [] : [{ name: t(q.nameKey), form: { query: q.query(value), range: 'custom' as const, ...window } }];
  });
}
