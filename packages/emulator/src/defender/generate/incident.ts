import { FREE_TAGS, COMMENT_TEXTS, MARKUP_IMG, MARKUP_SCRIPT, SCENARIOS } from '../catalog';
import type { Incident, IncidentComment } from '../model';
import { itemAt } from '../../lists';
import { Rng } from '../prng';
import { formatTicks } from '../timestamps';
import { buildAlerts } from './alerts';
import { FLAG_MARKUP_IMG, FLAG_MARKUP_SCRIPT, type IndexEntry } from './entry';
import type { TenantProfile } from './profile';

/** Expansion of one index entry into the full incident, alerts and all. */

export function ms(iso: string): number {
  return Date.parse(iso.slice(0, 23) + 'Z');
}
export function incidentUri(id: number, tenantId: string): string {
  return `https://security.microsoft.com/incidents/${id}?tid=${tenantId}`;
}

/** The full incident for an index entry: same result for the same (seed, tenant, id) every time. */
export function expandIncident(profile: TenantProfile, e: IndexEntry): Incident {
  const rng = Rng.from(profile.seed, profile.tenantId, 'incident', e.id);
  const scenario = itemAt(SCENARIOS, e.scenario, 'scenarios');
  const createdMs = ms(e.createdTime);
  const updatedMs = Math.max(ms(e.lastUpdateTime), createdMs);
  const family = scenario.families ? rng.pick(scenario.families) : undefined;
  const person = scenario.key === 'jose' ? itemAt(profile.people, 0, 'people') : rng.pick(profile.people);
  const devices = e.devices.map((d) => itemAt(profile.fleet, d, 'fleet'));
  const endpoints = devices.length > 1 ? 'multiple endpoints' : 'one endpoint';
  const fill = (text: string) => text.replace('{endpoints}', endpoints).replace(/\{family\}/g, family ?? 'Unknown');
  const markup = e.flags & FLAG_MARKUP_IMG ? MARKUP_IMG : e.flags & FLAG_MARKUP_SCRIPT ? MARKUP_SCRIPT : undefined;

  let incidentName = fill(rng.pick(scenario.names));
  if (markup === MARKUP_IMG) incidentName = `Suspicious file ${MARKUP_IMG} opened on ${endpoints}`;
  else if (markup === MARKUP_SCRIPT) incidentName = `Malicious script ${MARKUP_SCRIPT} detected on ${endpoints}`;

  const alerts = buildAlerts(rng, profile, e, scenario, { createdMs, updatedMs, family, person, devices, fill }).sort((a, b) =>
    a.creationTime < b.creationTime ? -1 : a.creationTime > b.creationTime ? 1 : 0,
  );
  if (markup) {
    const first = itemAt(alerts, 0, 'alerts');
    first.title = `${first.title} ${markup}`;
  }

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
