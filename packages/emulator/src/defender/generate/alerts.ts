import { ACTORS, ALERT_SEVERITY_ORDER, DETECTION_SOURCES, DEVICE_SERVICES, INVESTIGATION_STATES, LEGACY_SERVICE, SERVICE, type AlertTemplate, type Scenario } from '../catalog';
import { NOT_AVAILABLE, type Alert, type AlertSeverity, type Severity } from '../model';
import { itemAt } from '../../lists';
import { Rng } from '../prng';
import { formatTicks } from '../timestamps';
import { deviceJson, entitiesFor } from './entities';
import { FLAG_LEGACY, type IndexEntry } from './entry';
import type { FleetDevice, Person, TenantProfile } from './profile';

/** The alerts of an incident: templates of its scenario, with devices, timings, ids and entities. */

const ALERT_COUNTS: readonly (readonly [number, number])[] = [
  [1, 28],
  [2, 22],
  [3, 15],
  [4, 10],
  [5, 7],
  [6, 5],
  [7, 4],
  [8, 3],
  [9, 2],
  [10, 2],
  [11, 1],
  [12, 1],
];

export interface AlertContext {
  createdMs: number;
  updatedMs: number;
  family?: string;
  person: Person;
  devices: FleetDevice[];
  fill(text: string): string;
}

export function buildAlerts(rng: Rng, profile: TenantProfile, e: IndexEntry, scenario: Scenario, c: AlertContext): Alert[] {
  const drawn = rng.weighted(ALERT_COUNTS);
  // A cloud-workload incident carries each of its templates (in turn), so every evidence type occurs in the data.
  const everyTemplate = scenario.key === 'cloud';
  const count = everyTemplate ? Math.max(drawn, scenario.alerts.length) : drawn;
  const deviceTemplates = scenario.alerts.filter((t) => DEVICE_SERVICES.has(t.service));
  const otherTemplates = scenario.alerts.filter((t) => !DEVICE_SERVICES.has(t.service));
  const templates: AlertTemplate[] = [];
  for (let i = 0; i < count; i++) {
    if (everyTemplate) {
      templates.push(itemAt(scenario.alerts, i % scenario.alerts.length, 'alert templates'));
      continue;
    }
    // With devices, the first alert names one (the incident exists because of it); without, none may.
    if (c.devices.length) templates.push(i === 0 || otherTemplates.length === 0 ? rng.pick(deviceTemplates) : rng.pick(scenario.alerts));
    else templates.push(rng.pick(otherTemplates.length ? otherTemplates : scenario.alerts));
  }

  // Each device of the incident appears on at least one device-bearing alert: its group decides who sees the incident.
  const deviceAlerts = templates.map((t, i) => (DEVICE_SERVICES.has(t.service) && c.devices.length ? i : -1)).filter((i) => i >= 0);
  const devicesOf: number[][] = templates.map(() => []);
  const devicesOfAlert = (i: number): number[] => itemAt(devicesOf, i, 'alerts');
  c.devices.forEach((_, d) => devicesOfAlert(itemAt(deviceAlerts, d % deviceAlerts.length, 'device-bearing alerts')).push(d));
  for (const i of deviceAlerts) if (devicesOfAlert(i).length === 0) devicesOfAlert(i).push(rng.int(0, c.devices.length - 1));

  const severities = alertSeverities(rng, e.severity, count);
  const legacy = (e.flags & FLAG_LEGACY) !== 0;
  const span = Math.max(c.updatedMs - c.createdMs, 1);

  return templates.map((t, i): Alert => {
    const creationMs = i === 0 ? c.createdMs - rng.int(1_000, 90_000) : c.createdMs + Math.floor(span * 0.6 * rng.next());
    const firstMs = creationMs - rng.int(60_000, 3 * 3600_000);
    const lastActMs = firstMs + Math.floor((creationMs - firstMs) * rng.next());
    const status = alertStatus(rng, e.status);
    const resolvedMs = status === 'Resolved' ? creationMs + Math.floor((c.updatedMs - creationMs) * (0.5 + rng.next() / 2)) : undefined;
    const updatedMs = Math.max(
      creationMs,
      Math.min(c.updatedMs - 1, Math.max(resolvedMs ?? creationMs, creationMs + Math.floor((c.updatedMs - creationMs) * rng.next()))),
    );
    // A resolved alert was last updated when it was resolved, or later.
    const resolvedTime = resolvedMs === undefined ? undefined : formatTicks(Math.min(resolvedMs, updatedMs), rng.int(0, 9999));
    const lastUpdatedTime = resolvedTime !== undefined && resolvedMs !== undefined && resolvedMs >= updatedMs ? resolvedTime : formatTicks(updatedMs, rng.int(0, 9999));
    const severity = itemAt(severities, i, 'alert severities');
    const alertDevices = devicesOfAlert(i).map((d) => deviceJson(rng, itemAt(c.devices, d, 'incident devices'), severity));
    const ids = alertIds(rng, t.service);
    const withInvestigation = (t.service === 'endpoint' || t.service === 'office') && rng.chance(0.6);
    const resolved = status === 'Resolved';
    const classification = resolved ? alertClassification(e.classification) : rng.chance(0.3) ? 'Unknown' : undefined;
    const determination = resolved && classification ? e.determination : classification ? NOT_AVAILABLE : undefined;
    return {
      alertId: ids.alertId,
      providerAlertId: ids.providerAlertId,
      incidentId: e.id,
      serviceSource: (legacy && LEGACY_SERVICE[t.service]) || SERVICE[t.service],
      creationTime: formatTicks(creationMs, rng.int(0, 9999)),
      lastUpdatedTime,
      resolvedTime,
      firstActivity: formatTicks(firstMs, rng.int(0, 9999)),
      lastActivity: formatTicks(lastActMs, rng.int(0, 9999)),
      title: c.fill(t.title),
      description: c.fill(t.description),
      category: t.category,
      status,
      severity,
      investigationId: withInvestigation ? rng.int(1000, 99_999) : undefined,
      investigationState: withInvestigation ? investigationState(rng) : 'UnsupportedAlertType',
      detectionSource: t.detectionSource ?? rng.pick(DETECTION_SOURCES[t.service]),
      detectorId: Rng.from('detector', t.title).guid(),
      classification,
      determination,
      assignedTo: withInvestigation && rng.chance(0.3) ? 'Automation' : e.assignedTo,
      actorName: scenario.actors && rng.chance(0.2) ? rng.pick(ACTORS) : undefined,
      threatFamilyName: t.usesFamily ? c.family : undefined,
      mitreTechniques: t.mitre,
      devices: alertDevices,
      entities: entitiesFor(rng, profile, t, c, alertDevices, creationMs, legacy),
    };
  });
}

function alertSeverities(rng: Rng, incident: Severity, count: number): AlertSeverity[] {
  if (incident === 'UnSpecified') return Array.from({ length: count }, () => rng.pick(['Informational', 'Low'] as const));
  const top = ALERT_SEVERITY_ORDER.indexOf(incident);
  const out = Array.from({ length: count }, () => itemAt(ALERT_SEVERITY_ORDER, rng.int(0, top), 'alert severities'));
  out[rng.int(0, count - 1)] = incident;
  return out;
}

function alertStatus(rng: Rng, incidentStatus: string): Alert['status'] {
  switch (incidentStatus) {
    case 'Resolved':
      return 'Resolved';
    case 'InProgress':
      return rng.weighted([
        ['InProgress', 5],
        ['New', 3],
        ['Resolved', 2],
      ] as const);
    case 'Redirected':
      return rng.chance(0.5) ? 'New' : 'Resolved';
    default:
      return rng.weighted([
        ['New', 7],
        ['InProgress', 2],
        ['Resolved', 1],
      ] as const);
  }
}

/** Alerts only know Unknown, FalsePositive and TruePositive (service-facts §1.6). */
function alertClassification(incident: string): string | undefined {
  return incident === 'TruePositive' || incident === 'FalsePositive' || incident === 'Unknown' ? incident : undefined;
}

function investigationState(rng: Rng): string {
  return rng.chance(0.3)
    ? rng.pick(INVESTIGATION_STATES)
    : rng.weighted([
        ['SuccessfullyRemediated', 4],
        ['Benign', 3],
        ['Running', 2],
        ['PendingApproval', 2],
        ['TerminatedBySystem', 1],
        ['PartiallyRemediated', 1],
      ]);
}

function alertIds(rng: Rng, service: string): { alertId: string; providerAlertId: string } {
  switch (service) {
    case 'endpoint': {
      const id = `da${rng.digits(18)}_${rng.chance(0.5) ? '-' : ''}${rng.digits(rng.int(9, 10))}`;
      return { alertId: id, providerAlertId: id };
    }
    case 'office': {
      const g = rng.guid();
      return { alertId: `fa${g}`, providerAlertId: g };
    }
    case 'cloudApps': {
      const g = rng.guid().toUpperCase();
      return { alertId: `ca${g}`, providerAlertId: rng.hex(24) };
    }
    case 'aadip': {
      const h = rng.hex(64);
      return { alertId: `ad${h}`, providerAlertId: h };
    }
    default: {
      const g = rng.guid();
      return { alertId: `aa${g}`, providerAlertId: g };
    }
  }
}
