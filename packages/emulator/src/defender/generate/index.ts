import { SCENARIOS, type Scenario } from '../catalog';
import { AWAITING_ACTION, DETERMINATIONS, NOT_AVAILABLE, SEVERITIES, STATUSES, type Classification } from '../model';
import { itemAt } from '../../lists';
import { hash32, Rng } from '../prng';
import { formatTicks } from '../timestamps';
import { compareEntries, FLAG_LEGACY, FLAG_MARKUP_IMG, FLAG_MARKUP_SCRIPT, type IndexEntry } from './entry';
import { DAY_MS, groupBit, type TenantProfile } from './profile';

export { compareCreated, compareEntries, compareShuffled, FLAG_LEGACY, FLAG_MARKUP_IMG, FLAG_MARKUP_SCRIPT, type IndexEntry } from './entry';
export { expandIncident, incidentUri } from './incident';
export { buildProfile, groupBit, groupsOfMask, RBAC_GROUP_IDS, type FleetDevice, type TenantProfile } from './profile';

/**
 * Deterministic incident data. Only a compact index (what $filter, ordering and visibility need) is built
 * for every incident up front; the full incident with alerts, devices and entities is expanded on demand
 * from (seed, tenant, id), so 100,000 incidents cost a few megabytes rather than gigabytes.
 */

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
  for (const createdMs of created) {
    const scenarioIndex = rng.weighted(SCENARIO_WEIGHTS);
    const scenario = itemAt(SCENARIOS, scenarioIndex, 'scenarios');
    const devices = pickDevices(rng, profile, scenario);
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
      groupMask: devices.reduce((m, d) => m | groupBit(itemAt(profile.fleet, d, 'fleet').group), 0),
      devices,
      scenario: scenarioIndex,
      flags: createdMs < now - 45 * DAY_MS && rng.chance(0.25) ? FLAG_LEGACY : 0,
    });
    id += 1 + (rng.chance(0.35) ? rng.int(1, 6) : 0);
  }

  // Every status × severity combination exists (at spread positions), whatever the weights produced.
  const combos = STATUSES.flatMap((status) => SEVERITIES.map((severity) => ({ status, severity })));
  if (count >= combos.length) {
    combos.forEach((c, k) => Object.assign(itemAt(entries, Math.floor(((k + 0.5) * count) / combos.length), 'incidents'), c));
  }

  // And at least one incident on José's workstation, whose name has accents.
  const jose = SCENARIOS.findIndex((s) => s.key === 'jose');
  if (count >= 40 && !entries.some((e) => e.scenario === jose)) {
    const e = itemAt(entries, Math.floor(count * 0.37), 'incidents');
    e.scenario = jose;
    e.devices = pickDevices(rng, profile, itemAt(SCENARIOS, jose, "scenarios (José's)"));
    e.groupMask = groupBit('Workstations');
  }

  // And at least one cloud-workload incident, whose alerts carry the evidence types only Graph shows.
  const cloudScenario = SCENARIOS.findIndex((s) => s.key === 'cloud');
  if (count >= 40 && !entries.some((e) => e.scenario === cloudScenario)) {
    const e = itemAt(entries, Math.floor(count * 0.61), 'incidents');
    e.scenario = cloudScenario;
    e.devices = [];
    e.groupMask = 0;
  }

  for (const e of entries) {
    e.assignedTo = pickAssignee(rng, profile, e.status);
    const [classification, determination] = pickClassification(rng, e.status, itemAt(SCENARIOS, e.scenario, 'scenarios'));
    e.classification = classification;
    e.determination = determination;
  }
  const resolved = entries.filter((e) => e.status === 'Resolved');
  if (resolved.length >= CLASSIFIED_PAIRS.length) {
    CLASSIFIED_PAIRS.forEach(([c, d], k) => {
      const e = itemAt(resolved, Math.floor(((k + 0.5) * resolved.length) / CLASSIFIED_PAIRS.length), 'resolved incidents');
      e.classification = c;
      e.determination = d;
    });
  }

  linkRedirects(rng, entries);
  placeMarkup(rng, entries);
  markAwaitingAction(profile, entries);
  return entries;
}

/**
 * Some open incidents on devices wait for an action (an automated investigation's remediation to approve):
 * Graph's `awaitingAction`, which the Defender API shows as Active. Chosen by hash, so the main random
 * stream (and every other generated value) stays as it was; at least one is on a workstation, where
 * every analyst of the directory sees it.
 */
function markAwaitingAction(profile: TenantProfile, entries: IndexEntry[]): void {
  const open = entries.filter((e) => e.status === 'Active' && e.groupMask !== 0);
  for (const e of open) if (hash32(profile.seed, profile.tenantId, 'awaiting', e.id) % 10 === 0) e.status = AWAITING_ACTION;
  const workstations = groupBit('Workstations');
  if (!entries.some((e) => e.status === AWAITING_ACTION && (e.groupMask & workstations) !== 0)) {
    const first = open.find((e) => (e.groupMask & workstations) !== 0);
    if (first) first.status = AWAITING_ACTION;
  }
}

function pickDevices(rng: Rng, profile: TenantProfile, scenario: Scenario): number[] {
  const [min, max] = scenario.devices;
  if (max === 0) return [];
  if (scenario.key === 'jose') return [itemAt(profile.fleetByGroup.get('Workstations') ?? [], 0, 'Workstations')];
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
 * The newest open incidents on workstations (visible to every analyst of the directory) carry markup in
 * their name, an alert title, a comment and a tag, so the first page of any queue proves escaping; a few
 * others anywhere in the data do too.
 */
function placeMarkup(rng: Rng, entries: IndexEntry[]): void {
  const workstations = groupBit('Workstations');
  // The two most recently updated open incidents on workstations, found without sorting everything.
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
