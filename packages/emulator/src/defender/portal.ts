import { deviceJson } from './generate/entities';
import { groupBit, incidentUri, type IndexEntry, type TenantProfile } from './generate';
import { AWAITING_ACTION, DEVICE_GROUPS, SEVERITIES, type Alert, type AlertSeverity, type DeviceGroup, type Incident, type Severity } from './model';
import { parsePatchBody, PatchError, resolveClassification, type IncidentPatch } from './patch';
import { Rng } from './prng';
import type { Change, IncidentStoreImpl } from './store';

/**
 * Changes made "in the Defender portal": what a test or demo uses to make an incident change under the
 * app, as an analyst working in the portal would (or a new detection would). They follow the same rules
 * as PATCH (enums, classification/determination pairs, comment length), and bump lastUpdateTime by the
 * emulator clock. Refusals are PatchErrors naming the field.
 */

/** An alert to add, with only what a test cares about; the rest is filled in plausibly. */
export interface NewAlert {
  title: string;
  description?: string;
  /** Default Medium. The incident's severity rises to it if lower. */
  severity?: AlertSeverity;
  /** Default SuspiciousActivity. */
  category?: string;
  /** A device of this group is put on the alert, so the incident becomes visible to that group's analysts. */
  deviceGroup?: DeviceGroup;
}

/** A change as someone in the portal makes it. */
export interface PortalChange {
  /** A Defender status, or `AwaitingAction` (Graph's awaitingAction; the Defender API shows it as Active). */
  status?: string;
  /** null (or "") unassigns. */
  assignedTo?: string | null;
  classification?: string;
  determination?: string;
  /** Replaces the tags. */
  tags?: string[];
  /** A comment to add. */
  comment?: string;
  /** Who made the change: the comment's author (default `Automation`). */
  by?: string;
  /** An alert to add to the incident (a new detection correlated into it). */
  alert?: NewAlert;
}

/** A new incident, as a new detection creates it. */
export interface NewIncident {
  incidentName: string;
  /** Default: the highest severity of its alerts. */
  severity?: Severity;
  /** As in PortalChange (default Active). */
  status?: string;
  assignedTo?: string;
  classification?: string;
  determination?: string;
  tags?: string[];
  /** Default: one alert titled like the incident. */
  alerts?: NewAlert[];
}

const ALERT_SEVERITIES: readonly AlertSeverity[] = ['Informational', 'Low', 'Medium', 'High'];
const PATCH_FIELDS = ['status', 'assignedTo', 'classification', 'determination', 'tags', 'comment'] as const;

/**
 * The PATCH fields of `input`, validated exactly as the API validates a PATCH body, except that the
 * portal (the service itself) may also set `AwaitingAction`.
 */
function validatedPatch(input: Partial<Record<(typeof PATCH_FIELDS)[number], unknown>>): IncidentPatch {
  const awaiting = input.status === AWAITING_ACTION;
  const fields = Object.fromEntries(PATCH_FIELDS.filter((k) => input[k] !== undefined && !(k === 'status' && awaiting)).map((k) => [k, input[k]]));
  const patch = Object.keys(fields).length === 0 ? {} : parsePatchBody(Buffer.from(JSON.stringify(fields)), 'application/json');
  return awaiting ? { ...patch, status: AWAITING_ACTION } : patch;
}

function severityRank(s: string): number {
  return SEVERITIES.indexOf(s as Severity);
}

/** Builds an alert for incident `incidentId` (times are set when it is stored); returns it with its device-group bits. */
function buildAlert(profile: TenantProfile, incidentId: number, input: NewAlert, n: number): { alert: Alert; groupMask: number } {
  if (typeof input?.title !== 'string' || !input.title.trim()) throw new PatchError("An alert needs a 'title'.");
  const severity = input.severity ?? 'Medium';
  if (!ALERT_SEVERITIES.includes(severity)) throw new PatchError(`Invalid alert severity '${String(severity)}'; allowed values are ${ALERT_SEVERITIES.join(', ')}.`);
  const group = input.deviceGroup;
  if (group !== undefined && !DEVICE_GROUPS.includes(group)) throw new PatchError(`Unknown device group '${String(group)}'; groups are ${DEVICE_GROUPS.join(', ')}.`);
  const rng = Rng.from(profile.seed, profile.tenantId, 'portal-alert', incidentId, n);
  const device = group === undefined ? undefined : profile.fleet[rng.pick(profile.fleetByGroup.get(group) ?? [])];
  const providerId = rng.guid();
  const alert: Alert = {
    alertId: device ? `da${rng.digits(18)}_${rng.digits(10)}` : `aa${providerId}`,
    providerAlertId: providerId,
    incidentId,
    serviceSource: device ? 'MicrosoftDefenderForEndpoint' : 'Microsoft365Defender',
    detectionSource: 'CustomDetection',
    detectorId: Rng.from('detector', input.title).guid(),
    creationTime: '',
    lastUpdatedTime: '',
    firstActivity: '',
    lastActivity: '',
    title: input.title,
    description: input.description ?? input.title,
    category: input.category ?? 'SuspiciousActivity',
    status: 'New',
    severity,
    investigationState: 'UnsupportedAlertType',
    mitreTechniques: [],
    devices: device ? [deviceJson(rng, device, severity)] : [],
    entities: [],
  };
  return { alert, groupMask: device ? groupBit(device.group) : 0 };
}

/** Applies a portal change to an incident of the tenant; returns the incident, or undefined when there is none. */
export function changeInPortal(store: IncidentStoreImpl, tenantId: string, id: number, input: PortalChange): Incident | undefined {
  const data = store.tenant(tenantId);
  const current = store.current(tenantId, id);
  if (!data || !current) return undefined;
  const patch = validatedPatch(input);
  const { determination } = resolveClassification(current, patch);
  const change: Change = { ...patch, determination, by: input.by ?? 'Automation' };
  if (input.alert !== undefined) {
    const incident = data.incident(id) as Incident;
    change.alert = buildAlert(data.profile, id, input.alert, incident.alerts.length);
    if (severityRank(change.alert.alert.severity) > severityRank(incident.severity)) change.severity = change.alert.alert.severity;
  } else if (Object.keys(patch).length === 0) {
    throw new PatchError(`The change has nothing to apply; give one of ${[...PATCH_FIELDS, 'alert'].join(', ')}.`);
  }
  store.update(tenantId, id, change);
  return store.get(tenantId, id);
}

/** Adds a new incident to the tenant (the newest by creation and update); returns it, or undefined when there is no such tenant. */
export function addInPortal(store: IncidentStoreImpl, tenantId: string, nowMs: number, input: NewIncident): Incident | undefined {
  const data = store.tenant(tenantId);
  if (!data) return undefined;
  if (typeof input?.incidentName !== 'string' || !input.incidentName.trim()) throw new PatchError("A new incident needs an 'incidentName'.");
  if (input.severity !== undefined && severityRank(input.severity) < 0) {
    throw new PatchError(`Invalid severity '${String(input.severity)}'; allowed values are ${SEVERITIES.join(', ')}.`);
  }
  const patch = validatedPatch({ ...input, comment: undefined });
  const { classification, determination } = resolveClassification({ classification: 'Unknown', determination: 'NotAvailable' }, patch);
  const id = data.nextId();
  const built = (input.alerts?.length ? input.alerts : [{ title: input.incidentName }]).map((a, n) => buildAlert(data.profile, id, a, n));
  const now = data.stamp(nowMs);
  const alerts = built.map(({ alert }) => ({ ...alert, creationTime: now, lastUpdatedTime: now, firstActivity: now, lastActivity: now }));
  const severity = input.severity ?? alerts.reduce<Severity>((top, a) => (severityRank(a.severity) > severityRank(top) ? a.severity : top), 'Informational');
  const assignedTo = patch.assignedTo === null || patch.assignedTo === '' ? undefined : patch.assignedTo;
  const status = patch.status ?? 'Active';
  const entry: IndexEntry = {
    id,
    createdTime: now,
    lastUpdateTime: now,
    status,
    severity,
    assignedTo,
    classification,
    determination,
    groupMask: built.reduce((mask, b) => mask | b.groupMask, 0),
    devices: [],
    scenario: 0,
    flags: 0,
  };
  const incident: Incident = {
    incidentId: id,
    incidentUri: incidentUri(id, tenantId),
    incidentName: input.incidentName,
    createdTime: now,
    lastUpdateTime: now,
    assignedTo,
    classification,
    determination,
    status,
    severity,
    tags: [...(patch.tags ?? [])],
    comments: [],
    alerts,
  };
  data.add(entry, incident);
  return store.get(tenantId, id);
}
