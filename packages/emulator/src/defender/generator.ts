import {
  ACTORS,
  ALERT_SEVERITY_ORDER,
  COMMAND_LINES,
  COMMENT_TEXTS,
  DETECTION_SOURCES,
  DEVICE_SERVICES,
  EXTERNAL_SENDERS,
  FILES,
  FREE_TAGS,
  INVESTIGATION_STATES,
  LEGACY_SERVICE,
  MALICIOUS_URLS,
  MARKUP_IMG,
  MARKUP_SCRIPT,
  PEOPLE,
  PHISH_SUBJECTS,
  REGISTRY_KEYS,
  SCENARIOS,
  SENSITIVE_GROUPS,
  SERVICE,
  type AlertTemplate,
  type EntityKind,
  type Scenario,
} from './catalog';
import {
  DETERMINATIONS,
  DEVICE_GROUPS,
  NOT_AVAILABLE,
  SEVERITIES,
  STATUSES,
  type Alert,
  type AlertSeverity,
  type Classification,
  type Device,
  type DeviceGroup,
  type Entity,
  type Incident,
  type IncidentComment,
  type Severity,
} from './model';
import { Rng } from './prng';
import { formatTicks } from './timestamps';

/**
 * Deterministic incident data. Only a compact index (what $filter, ordering and visibility need) is built
 * for every incident up front; the full incident with alerts, devices and entities is expanded on demand
 * from (seed, tenant, id), so 100,000 incidents cost a few megabytes rather than gigabytes.
 */

export const FLAG_MARKUP_IMG = 1;
export const FLAG_MARKUP_SCRIPT = 2;
/** An old incident whose payload uses the service and entity spellings of its time. */
export const FLAG_LEGACY = 4;

export interface IndexEntry {
  id: number;
  createdTime: string;
  lastUpdateTime: string;
  status: string;
  severity: Severity;
  assignedTo?: string;
  classification: string;
  determination: string;
  /** Bit i set when a device of DEVICE_GROUPS[i] is involved; 0 for incidents without devices. */
  groupMask: number;
  /** Indices into the tenant's fleet. */
  devices: number[];
  scenario: number;
  redirectIncidentId?: number;
  flags: number;
}

/** A machine of the tenant's fleet: the fixed part of a Device, plus where it belongs. */
export type FleetDevice = Pick<Device, 'mdatpDeviceId' | 'aadDeviceId' | 'deviceDnsName' | 'osPlatform' | 'version' | 'osProcessor' | 'osBuild' | 'firstSeen' | 'tags' | 'vmMetadata'> & {
  name: string;
  group: DeviceGroup;
};

interface Person {
  displayName: string;
  accountName: string;
  upn: string;
  userSid: string;
  aadUserId: string;
}

export interface TenantProfile {
  seed: number;
  tenantId: string;
  domain: string;
  netbios: string;
  nowMs: number;
  /** Who incidents get assigned to: the tenant's users with a Defender role. */
  analysts: string[];
  fleet: FleetDevice[];
  fleetByGroup: Map<DeviceGroup, number[]>;
  people: Person[];
}

/** Stable device-group ids, as an admin would see them in the portal. */
export const RBAC_GROUP_IDS: Record<DeviceGroup, number> = {
  Servers: 4101,
  Workstations: 4102,
  Lab: 4103,
  Executives: 4104,
  Kiosks: 4105,
  DomainControllers: 4106,
  Finance: 4107,
  Developers: 4108,
  'Ungrouped devices (default)': 0,
};

export function groupBit(group: string): number {
  const i = (DEVICE_GROUPS as readonly string[]).indexOf(group);
  return i < 0 ? 0 : 1 << i;
}

export function groupsOfMask(mask: number): DeviceGroup[] {
  return DEVICE_GROUPS.filter((_, i) => (mask & (1 << i)) !== 0);
}

const DAY_MS = 86_400_000;
const FLEET_SIZES: Record<DeviceGroup, number> = {
  Servers: 40,
  Workstations: 120,
  Lab: 20,
  Executives: 10,
  Kiosks: 15,
  DomainControllers: 4,
  Finance: 25,
  Developers: 30,
  'Ungrouped devices (default)': 8,
};

interface Os {
  osPlatform: string;
  version?: string;
  osBuild?: number;
}
const CLIENT_OS: readonly (readonly [Os, number])[] = [
  [{ osPlatform: 'Windows11', version: '23H2', osBuild: 22631 }, 5],
  [{ osPlatform: 'Windows10', version: '22H2', osBuild: 19045 }, 4],
  [{ osPlatform: 'Windows11', version: '24H2', osBuild: 26100 }, 2],
  [{ osPlatform: 'macOS', version: '14.5' }, 1],
];
const SERVER_OS: readonly (readonly [Os, number])[] = [
  [{ osPlatform: 'WindowsServer2022', version: '21H2', osBuild: 20348 }, 4],
  [{ osPlatform: 'WindowsServer2019', version: '1809', osBuild: 17763 }, 3],
  [{ osPlatform: 'WindowsServer2016', version: '1607', osBuild: 14393 }, 2],
  [{ osPlatform: 'Linux', version: 'Ubuntu 22.04' }, 2],
];
const SERVER_ROLES = ['app', 'sql', 'web', 'file', 'print', 'exch', 'build', 'api'];
const EXEC_TITLES = ['ceo', 'cfo', 'cto', 'coo', 'ciso', 'cmo', 'gc', 'chro', 'vp-sales', 'vp-eng'];

export function buildProfile(seed: number, tenant: { id: string; domain: string }, analysts: string[], nowMs: number): TenantProfile {
  const rng = Rng.from(seed, tenant.id, 'fleet');
  const netbios = tenant.domain.split('.')[0].toUpperCase();
  const fleet: FleetDevice[] = [];
  const fleetByGroup = new Map<DeviceGroup, number[]>();
  const subscriptionId = Rng.from(seed, tenant.id, 'subscription').guid();
  for (const group of DEVICE_GROUPS) {
    const indices: number[] = [];
    for (let n = 1; n <= FLEET_SIZES[group]; n++) {
      const server = group === 'Servers' || group === 'DomainControllers';
      const os = server ? rng.weighted(SERVER_OS) : group === 'Kiosks' ? CLIENT_OS[1][0] : rng.weighted(CLIENT_OS);
      const nn = String(n).padStart(2, '0');
      const name =
        group === 'Servers'
          ? `srv-${rng.pick(SERVER_ROLES)}-${nn}`
          : group === 'Workstations'
            ? n === 1
              ? 'pc-jose'
              : `ws-${String(rng.int(1, 9999)).padStart(4, '0')}`
            : group === 'Lab'
              ? `lab-vm-${nn}`
              : group === 'Executives'
                ? `exec-${EXEC_TITLES[(n - 1) % EXEC_TITLES.length]}-laptop`
                : group === 'Kiosks'
                  ? `kiosk-lobby-${nn}`
                  : group === 'DomainControllers'
                    ? `dc${nn}`
                    : group === 'Finance'
                      ? `fin-ws-${nn}`
                      : group === 'Developers'
                        ? `dev-${nn}`
                        : `desktop-${rng.hex(7)}`;
      const joined = !server && group !== 'Ungrouped devices (default)' && os.osPlatform !== 'macOS';
      const inCloud = group === 'Servers' && rng.chance(0.4);
      indices.push(fleet.length);
      fleet.push({
        name,
        group,
        mdatpDeviceId: rng.hex(40),
        aadDeviceId: joined ? rng.guid() : undefined,
        deviceDnsName: group === 'Ungrouped devices (default)' ? name : `${name}.${tenant.domain}`,
        ...os,
        osProcessor: os.osPlatform === 'macOS' && rng.chance(0.7) ? 'arm64' : 'x64',
        firstSeen: formatTicks(nowMs - rng.int(30, 900) * DAY_MS - rng.int(0, DAY_MS), rng.int(0, 9999)),
        tags: group === 'Executives' ? ['VIP'] : group === 'Finance' ? ['PCI'] : server && rng.chance(0.5) ? ['Production'] : [],
        vmMetadata: inCloud
          ? {
              vmId: rng.guid(),
              cloudProvider: 'Azure',
              resourceId: `/subscriptions/${subscriptionId}/resourceGroups/rg-prod/providers/Microsoft.Compute/virtualMachines/${name}`,
              subscriptionId,
            }
          : undefined,
      });
    }
    fleetByGroup.set(group, indices);
  }
  const sidBase = `S-1-5-21-${rng.int(1_000_000_000, 3_999_999_999)}-${rng.int(1_000_000_000, 3_999_999_999)}-${rng.int(100_000_000, 999_999_999)}`;
  const people = PEOPLE.map((p, i) => ({
    displayName: `${p.given} ${p.family}`,
    accountName: p.ascii.includes('.') ? `${p.ascii[0]}${p.ascii.split('.')[1]}` : p.ascii,
    upn: `${p.ascii}@${tenant.domain}`,
    userSid: `${sidBase}-${1104 + i}`,
    aadUserId: Rng.from(seed, tenant.id, 'person', p.ascii).guid(),
  }));
  return {
    seed,
    tenantId: tenant.id,
    domain: tenant.domain,
    netbios,
    nowMs,
    analysts: analysts.length ? [...analysts].sort() : ['Automation'],
    fleet,
    fleetByGroup,
    people,
  };
}

function ms(iso: string): number {
  return Date.parse(iso.slice(0, 23) + 'Z');
}

const STATUS_WEIGHTS: readonly (readonly [string, number])[] = [
  ['Active', 48],
  ['InProgress', 17],
  ['Resolved', 30],
  ['Redirected', 5],
];

/** Every valid (classification, determination) pair, so the data holds each at least once. */
const CLASSIFIED_PAIRS: [Classification, string][] = (['TruePositive', 'InformationalExpectedActivity', 'FalsePositive'] as const).flatMap(
  (c) => DETERMINATIONS[c].map((d): [Classification, string] => [c, d]),
);

const SCENARIO_WEIGHTS = SCENARIOS.map((s, j) => [j, s.weight] as const);

/** The incidents of one tenant in creation order (ids increase with createdTime). */
export function generateIndex(profile: TenantProfile, count: number): IndexEntry[] {
  const rng = Rng.from(profile.seed, profile.tenantId, 'index');
  const now = profile.nowMs;
  const start = now - 90 * DAY_MS;
  const created = new Float64Array(count);
  for (let i = 0; i < count; i++) created[i] = start + Math.floor(rng.next() * (90 * DAY_MS - 120_000));
  created.sort();

  const entries: IndexEntry[] = [];
  let id = 1000 + rng.int(0, 40);
  for (let i = 0; i < count; i++) {
    const scenarioIndex = rng.weighted(SCENARIO_WEIGHTS);
    const scenario = SCENARIOS[scenarioIndex];
    const devices = pickDevices(rng, profile, scenario);
    const createdMs = created[i];
    const createdTime = formatTicks(createdMs, rng.int(0, 9999));
    const span = now - createdMs;
    const updatedMs = rng.chance(0.12)
      ? Math.max(createdMs + 1000, now - Math.floor(rng.next() * 2 * DAY_MS))
      : createdMs + Math.min(span, 1000 + Math.floor(span * rng.next() ** 3));
    const lastUpdateTime = updatedMs > createdMs ? formatTicks(Math.min(updatedMs, now), rng.int(0, 9999)) : createdTime;
    entries.push({
      id,
      createdTime,
      lastUpdateTime,
      status: rng.weighted(STATUS_WEIGHTS),
      severity: rng.weighted(scenario.severity),
      classification: 'Unknown',
      determination: NOT_AVAILABLE,
      groupMask: devices.reduce((m, d) => m | groupBit(profile.fleet[d].group), 0),
      devices,
      scenario: scenarioIndex,
      flags: createdMs < now - 45 * DAY_MS && rng.chance(0.25) ? FLAG_LEGACY : 0,
    });
    id += 1 + (rng.chance(0.35) ? rng.int(1, 6) : 0);
  }

  // Every status × severity combination exists (at spread positions), whatever the weights produced.
  const combos = STATUSES.flatMap((status) => SEVERITIES.map((severity) => ({ status, severity })));
  if (count >= combos.length) {
    combos.forEach((c, k) => Object.assign(entries[Math.floor(((k + 0.5) * count) / combos.length)], c));
  }

  // And at least one incident on José's workstation, whose name has accents.
  const jose = SCENARIOS.findIndex((s) => s.key === 'jose');
  if (count >= 40 && !entries.some((e) => e.scenario === jose)) {
    const e = entries[Math.floor(count * 0.37)];
    e.scenario = jose;
    e.devices = pickDevices(rng, profile, SCENARIOS[jose]);
    e.groupMask = groupBit('Workstations');
  }

  for (const e of entries) {
    e.assignedTo = pickAssignee(rng, profile, e.status);
    const [classification, determination] = pickClassification(rng, e.status, SCENARIOS[e.scenario]);
    e.classification = classification;
    e.determination = determination;
  }
  const resolved = entries.filter((e) => e.status === 'Resolved');
  if (resolved.length >= CLASSIFIED_PAIRS.length) {
    CLASSIFIED_PAIRS.forEach(([c, d], k) => {
      const e = resolved[Math.floor(((k + 0.5) * resolved.length) / CLASSIFIED_PAIRS.length)];
      e.classification = c;
      e.determination = d;
    });
  }

  linkRedirects(rng, entries);
  placeMarkup(rng, entries);
  return entries;
}

function pickDevices(rng: Rng, profile: TenantProfile, scenario: Scenario): number[] {
  const [min, max] = scenario.devices;
  if (max === 0) return [];
  if (scenario.key === 'jose') return [profile.fleetByGroup.get('Workstations')![0]];
  const n = rng.int(min, max);
  const chosen = new Set<number>();
  for (let tries = 0; chosen.size < n && tries < n * 4; tries++) {
    const group = rng.weighted(scenario.groups);
    chosen.add(rng.pick(profile.fleetByGroup.get(group)!));
  }
  return [...chosen];
}

function pickAssignee(rng: Rng, profile: TenantProfile, status: string): string | undefined {
  const analyst = () => rng.pick(profile.analysts);
  switch (status) {
    case 'Active':
      return rng.chance(0.45) ? undefined : rng.chance(0.08) ? 'Automation' : analyst();
    case 'InProgress':
      return rng.chance(0.92) ? analyst() : 'Automation';
    case 'Resolved':
      return rng.weighted([
        [analyst(), 75],
        ['Automation', 20],
        [undefined, 5],
      ]);
    default:
      return rng.chance(0.5) ? undefined : analyst();
  }
}

function pickClassification(rng: Rng, status: string, scenario: Scenario): [Classification, string] {
  const determinationFor = (c: Classification): string => {
    const current = DETERMINATIONS[c].filter((d) => ['Other', 'SecurityTesting'].includes(d) || DETERMINATIONS[c].indexOf(d) < 7);
    return rng.chance(0.12) ? rng.pick(DETERMINATIONS[c]) : rng.pick(current);
  };
  if (status === 'Resolved') {
    if (scenario.truePositive === 'SecurityTesting' && rng.chance(0.7)) return ['InformationalExpectedActivity', 'SecurityTesting'];
    const c = rng.weighted<Classification>([
      ['TruePositive', 50],
      ['InformationalExpectedActivity', 20],
      ['FalsePositive', 25],
      ['Unknown', 5],
    ]);
    if (c === 'Unknown') return [c, NOT_AVAILABLE];
    if (c === 'TruePositive' && rng.chance(0.6)) return [c, scenario.truePositive === 'SecurityTesting' ? 'Other' : scenario.truePositive];
    return [c, determinationFor(c)];
  }
  if ((status === 'Active' || status === 'InProgress') && rng.chance(0.12)) {
    return ['TruePositive', rng.chance(0.5) ? NOT_AVAILABLE : scenario.truePositive === 'SecurityTesting' ? 'Other' : scenario.truePositive];
  }
  return ['Unknown', NOT_AVAILABLE];
}

/** A merged incident points at another incident of the tenant (earlier or later) that is not itself merged. */
function linkRedirects(rng: Rng, entries: IndexEntry[]): void {
  for (const e of entries) {
    if (e.status !== 'Redirected') continue;
    let target: IndexEntry | undefined;
    for (let tries = 0; tries < 50 && !target; tries++) {
      const candidate = rng.pick(entries);
      if (candidate !== e && candidate.status !== 'Redirected') target = candidate;
    }
    if (target) e.redirectIncidentId = target.id;
    else e.status = 'Active';
  }
}

/**
 * API order: newest update first, then the higher id. A design choice: the docs only say "most recent
 * incidents at the top" (service-facts §1.2) without naming the key; lastUpdateTime makes a changed
 * incident rise to the top, and the id tie-break keeps $top/$skip paging stable.
 */
export function compareEntries(a: IndexEntry, b: IndexEntry): number {
  if (a.lastUpdateTime !== b.lastUpdateTime) return a.lastUpdateTime < b.lastUpdateTime ? 1 : -1;
  return b.id - a.id;
}

/**
 * The newest open incidents on workstations (visible to every analyst of the directory) carry markup in
 * their name, an alert title, a comment and a tag, so the first page of any queue proves escaping; a few
 * others anywhere in the data do too.
 */
function placeMarkup(rng: Rng, entries: IndexEntry[]): void {
  const workstations = groupBit('Workstations');
  // The two first in API order among open incidents on workstations, found without sorting everything.
  let first: IndexEntry | undefined;
  let second: IndexEntry | undefined;
  for (const e of entries) {
    if ((e.groupMask & workstations) === 0 || (e.status !== 'Active' && e.status !== 'InProgress')) continue;
    if (!first || compareEntries(e, first) < 0) {
      second = first;
      first = e;
    } else if (!second || compareEntries(e, second) < 0) {
      second = e;
    }
  }
  if (first) first.flags |= FLAG_MARKUP_IMG;
  if (second) second.flags |= FLAG_MARKUP_SCRIPT;
  for (const e of entries) {
    if (rng.chance(0.007)) e.flags |= rng.chance(0.5) ? FLAG_MARKUP_IMG : FLAG_MARKUP_SCRIPT;
  }
}

// ---------------------------------------------------------------------------------------------------
// Expansion of one incident

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

export function incidentUri(id: number, tenantId: string): string {
  return `https://security.microsoft.com/incidents/${id}?tid=${tenantId}`;
}

/** The full incident for an index entry: same result for the same (seed, tenant, id) every time. */
export function expandIncident(profile: TenantProfile, e: IndexEntry): Incident {
  const rng = Rng.from(profile.seed, profile.tenantId, 'incident', e.id);
  const scenario = SCENARIOS[e.scenario];
  const createdMs = ms(e.createdTime);
  const updatedMs = Math.max(ms(e.lastUpdateTime), createdMs);
  const family = scenario.families ? rng.pick(scenario.families) : undefined;
  const person = scenario.key === 'jose' ? profile.people[0] : rng.pick(profile.people);
  const devices = e.devices.map((d) => profile.fleet[d]);
  const endpoints = devices.length > 1 ? 'multiple endpoints' : 'one endpoint';
  const fill = (text: string) => text.replace('{endpoints}', endpoints).replace(/\{family\}/g, family ?? 'Unknown');
  const markup = e.flags & FLAG_MARKUP_IMG ? MARKUP_IMG : e.flags & FLAG_MARKUP_SCRIPT ? MARKUP_SCRIPT : undefined;

  let incidentName = fill(rng.pick(scenario.names));
  if (markup === MARKUP_IMG) incidentName = `Suspicious file ${MARKUP_IMG} opened on ${endpoints}`;
  else if (markup === MARKUP_SCRIPT) incidentName = `Malicious script ${MARKUP_SCRIPT} detected on ${endpoints}`;

  const alerts = buildAlerts(rng, profile, e, scenario, { createdMs, updatedMs, family, person, devices, fill }).sort((a, b) =>
    a.creationTime < b.creationTime ? -1 : a.creationTime > b.creationTime ? 1 : 0,
  );
  if (markup) alerts[0].title = `${alerts[0].title} ${markup}`;

  const tags = new Set<string>();
  const tagCount = rng.weighted([
    [0, 35],
    [1, 35],
    [2, 20],
    [3, 10],
  ]);
  for (let i = 0; i < tagCount; i++) tags.add(rng.chance(0.7) ? rng.pick(scenario.tags) : rng.pick(FREE_TAGS));
  if (devices.some((d) => d.group === 'Executives')) tags.add('VIP');
  if (markup) tags.add(markup);

  const comments: IncidentComment[] = [];
  const commentCount = rng.weighted([
    [0, 45],
    [1, 25],
    [2, 15],
    [3, 8],
    [4, 4],
    [5, 3],
  ]);
  const authors = [...profile.analysts, 'Automation'];
  for (let i = 0; i < commentCount; i++) {
    const at = createdMs + Math.floor(rng.next() * (updatedMs - createdMs));
    comments.push({ comment: rng.pick(COMMENT_TEXTS), createdBy: rng.pick(authors), createdTime: formatTicks(at, rng.int(0, 9999)) });
  }
  if (markup) {
    comments.push({
      comment: `Pasted from the alert: ${markup} (check the sender)`,
      createdBy: rng.pick(profile.analysts),
      createdTime: formatTicks(createdMs + Math.floor((updatedMs - createdMs) / 2), rng.int(0, 9999)),
    });
  }
  comments.sort((a, b) => (a.createdTime < b.createdTime ? -1 : a.createdTime > b.createdTime ? 1 : 0));

  return {
    incidentId: e.id,
    incidentUri: incidentUri(e.id, profile.tenantId),
    redirectIncidentId: e.redirectIncidentId,
    incidentName,
    createdTime: e.createdTime,
    lastUpdateTime: e.lastUpdateTime,
    assignedTo: e.assignedTo,
    classification: e.classification,
    determination: e.determination,
    status: e.status,
    severity: e.severity,
    tags: [...tags],
    comments,
    alerts,
  };
}

interface AlertContext {
  createdMs: number;
  updatedMs: number;
  family?: string;
  person: Person;
  devices: FleetDevice[];
  fill(text: string): string;
}

function buildAlerts(rng: Rng, profile: TenantProfile, e: IndexEntry, scenario: Scenario, c: AlertContext): Alert[] {
  const count = rng.weighted(ALERT_COUNTS);
  const deviceTemplates = scenario.alerts.filter((t) => DEVICE_SERVICES.has(t.service));
  const otherTemplates = scenario.alerts.filter((t) => !DEVICE_SERVICES.has(t.service));
  const templates: AlertTemplate[] = [];
  for (let i = 0; i < count; i++) {
    // With devices, the first alert names one (the incident exists because of it); without, none may.
    if (c.devices.length) templates.push(i === 0 || otherTemplates.length === 0 ? rng.pick(deviceTemplates) : rng.pick(scenario.alerts));
    else templates.push(rng.pick(otherTemplates.length ? otherTemplates : scenario.alerts));
  }

  // Each device of the incident appears on at least one device-bearing alert: its group decides who sees the incident.
  const deviceAlerts = templates.map((t, i) => (DEVICE_SERVICES.has(t.service) && c.devices.length ? i : -1)).filter((i) => i >= 0);
  const devicesOf: number[][] = templates.map(() => []);
  c.devices.forEach((_, d) => devicesOf[deviceAlerts[d % deviceAlerts.length]].push(d));
  for (const i of deviceAlerts) if (devicesOf[i].length === 0) devicesOf[i].push(rng.int(0, c.devices.length - 1));

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
    const alertDevices = devicesOf[i].map((d) => deviceJson(rng, c.devices[d], severities[i]));
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
      severity: severities[i],
      investigationId: withInvestigation ? rng.int(1000, 99_999) : undefined,
      investigationState: withInvestigation ? investigationState(rng) : 'UnsupportedAlertType',
      detectionSource: rng.pick(DETECTION_SOURCES[t.service]),
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
  const out = Array.from({ length: count }, () => ALERT_SEVERITY_ORDER[rng.int(0, top)]);
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

function deviceJson(rng: Rng, d: FleetDevice, severity: AlertSeverity): Device {
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
    riskScore: risk[riskIndex],
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

function entitiesFor(
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
        const image = commandLine.split(/\s+/)[0].replace(/"/g, '');
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
