import type { EmulatorContext } from '../context';
import type { User } from '../directory';
import { buildProfile, compareEntries, expandIncident, generateIndex, groupBit, groupsOfMask, type IndexEntry, type TenantProfile } from './generator';
import type { Incident } from './model';
import { evaluate, type FilterNode } from './odata';
import type { IncidentPatch } from './patch';
import { formatTicks, nextTick } from './timestamps';

/** What tests and the lead's leak checks read without going through HTTP. */
export interface IncidentSummary {
  incidentId: number;
  createdTime: string;
  lastUpdateTime: string;
  status: string;
  severity: string;
  assignedTo?: string;
  classification: string;
  determination: string;
  redirectIncidentId?: number;
  /** Device groups of the incident's devices; empty for email/identity/cloud-app incidents (only '*' users see those). */
  deviceGroups: string[];
}

/** Serialised incidents kept for reuse: list pages repeat a lot under load, and expansion is the costly part. */
const JSON_CACHE_SIZE = 4000;

class TenantIncidents {
  readonly byId = new Map<number, IndexEntry>();
  /** API order: lastUpdateTime desc, then incidentId desc. */
  readonly order: IndexEntry[];
  /** Incidents changed by PATCH: from then on they are state, no longer derived from the seed. */
  readonly overrides = new Map<number, Incident>();
  private readonly json = new Map<number, string>();
  private latestUpdate: string;

  constructor(
    readonly profile: TenantProfile,
    entries: IndexEntry[],
  ) {
    for (const e of entries) this.byId.set(e.id, e);
    this.order = [...entries].sort(compareEntries);
    this.latestUpdate = this.order[0]?.lastUpdateTime ?? formatTicks(profile.nowMs);
  }

  incident(id: number): Incident | undefined {
    const entry = this.byId.get(id);
    if (!entry) return undefined;
    return this.overrides.get(id) ?? expandIncident(this.profile, entry);
  }

  incidentJson(id: number): string | undefined {
    const cached = this.json.get(id);
    if (cached !== undefined) {
      this.json.delete(id);
      this.json.set(id, cached);
      return cached;
    }
    const incident = this.incident(id);
    if (!incident) return undefined;
    const text = JSON.stringify(incident);
    this.json.set(id, text);
    if (this.json.size > JSON_CACHE_SIZE) this.json.delete(this.json.keys().next().value as number);
    return text;
  }

  /** A lastUpdateTime for a change made now: later than every other, so a changed incident always moves to the top. */
  stamp(nowMs: number): string {
    const fraction = Math.floor((performance.now() % 1) * 10_000);
    let t = formatTicks(nowMs, fraction);
    if (t <= this.latestUpdate) t = nextTick(this.latestUpdate);
    this.latestUpdate = t;
    return t;
  }

  replace(entry: IndexEntry, incident: Incident): void {
    this.order.splice(this.order.indexOf(entry), 1);
    let lo = 0;
    let hi = this.order.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (compareEntries(this.order[mid], entry) < 0) lo = mid + 1;
      else hi = mid;
    }
    this.order.splice(lo, 0, entry);
    this.overrides.set(entry.id, incident);
    this.json.delete(entry.id);
  }
}

/**
 * The incidents of every tenant, and who may see which. A user sees an incident when one of its
 * devices is in one of the user's device groups, or when the user's role covers every group ('*'),
 * which is also the only way to see incidents that involve no device.
 */
export class IncidentStoreImpl {
  private readonly tenants = new Map<string, TenantIncidents>();
  private readonly startedAt = Date.now();

  constructor(private readonly ctx: EmulatorContext) {
    // Generated at start for the tenants that exist then, so the data does not depend on users added later.
    for (const id of ctx.directory.tenants.keys()) this.tenant(id);
  }

  /** The emulator's clock: the configured "now" at start, moving on in real time. */
  nowMs(): number {
    return this.ctx.options.now.getTime() + (Date.now() - this.startedAt);
  }

  private tenant(tenantId: string): TenantIncidents | undefined {
    let data = this.tenants.get(tenantId);
    if (data) return data;
    const tenant = this.ctx.directory.tenants.get(tenantId);
    if (!tenant) return undefined;
    const analysts = [...this.ctx.directory.users.values()]
      .filter((u) => u.tenantId === tenantId && u.defender.role !== 'none')
      .map((u) => u.upn);
    const profile = buildProfile(this.ctx.options.seed, tenant, analysts, this.ctx.options.now.getTime());
    data = new TenantIncidents(profile, generateIndex(profile, this.ctx.options.incidents));
    this.tenants.set(tenantId, data);
    return data;
  }

  /** The device-group bits a user may see, or 'all'. */
  private scope(user: User): number | 'all' {
    if (user.defender.role === 'none') return 0;
    const groups = user.defender.deviceGroups;
    if (groups === '*') return 'all';
    return groups.reduce((mask, g) => mask | groupBit(g), 0);
  }

  private visibleTo(scope: number | 'all', e: IndexEntry): boolean {
    return scope === 'all' || (e.groupMask & scope) !== 0;
  }

  visibleIds(user: User): Set<number> {
    const data = this.tenant(user.tenantId);
    const scope = this.scope(user);
    return new Set((data?.order ?? []).filter((e) => this.visibleTo(scope, e)).map((e) => e.id));
  }

  canSee(user: User, id: number): boolean {
    const e = this.tenant(user.tenantId)?.byId.get(id);
    return e !== undefined && this.visibleTo(this.scope(user), e);
  }

  count(tenantId: string): number {
    return this.tenant(tenantId)?.order.length ?? 0;
  }

  /** Every incident of the tenant in API order, without alerts (cheap even for 100,000). */
  list(tenantId: string): IncidentSummary[] {
    return (this.tenant(tenantId)?.order ?? []).map((e) => ({
      incidentId: e.id,
      createdTime: e.createdTime,
      lastUpdateTime: e.lastUpdateTime,
      status: e.status,
      severity: e.severity,
      assignedTo: e.assignedTo,
      classification: e.classification,
      determination: e.determination,
      redirectIncidentId: e.redirectIncidentId,
      deviceGroups: groupsOfMask(e.groupMask),
    }));
  }

  /** The full incident as the API returns it (a copy: changing it changes nothing here). */
  get(tenantId: string, id: number): Incident | undefined {
    const text = this.tenant(tenantId)?.incidentJson(id);
    return text === undefined ? undefined : (JSON.parse(text) as Incident);
  }

  /** One page of what the user may see, matching the filter, in API order. */
  query(user: User, filter: FilterNode | undefined, skip: number, top: number): number[] {
    const data = this.tenant(user.tenantId);
    if (!data) return [];
    const scope = this.scope(user);
    const page: number[] = [];
    let skipped = 0;
    for (const e of data.order) {
      if (!this.visibleTo(scope, e) || (filter && !evaluate(filter, e))) continue;
      if (skipped < skip) {
        skipped++;
        continue;
      }
      page.push(e.id);
      if (page.length >= top) break;
    }
    return page;
  }

  /** The serialised incident, if it exists and the user may see it. */
  json(user: User, id: number): string | undefined {
    if (!this.canSee(user, id)) return undefined;
    return this.tenant(user.tenantId)?.incidentJson(id);
  }

  current(user: User, id: number): { classification: string; determination: string } | undefined {
    if (!this.canSee(user, id)) return undefined;
    const e = this.tenant(user.tenantId)?.byId.get(id);
    return e && { classification: e.classification, determination: e.determination };
  }

  /**
   * Applies a validated patch (the caller has checked visibility and the classification/determination
   * pair), stamps lastUpdateTime, moves the incident to its new place in the order and returns its JSON.
   */
  update(user: User, id: number, patch: IncidentPatch & { determination?: string }): string {
    const data = this.tenant(user.tenantId);
    const entry = data?.byId.get(id);
    const incident = data?.incident(id);
    if (!data || !entry || !incident) throw new Error(`incident ${id} vanished`);
    const now = data.stamp(this.nowMs());
    if (patch.status !== undefined) incident.status = entry.status = patch.status;
    if (patch.assignedTo !== undefined) {
      const assignee = patch.assignedTo === null || patch.assignedTo === '' ? undefined : patch.assignedTo;
      incident.assignedTo = entry.assignedTo = assignee;
    }
    if (patch.classification !== undefined) incident.classification = entry.classification = patch.classification;
    if (patch.determination !== undefined) incident.determination = entry.determination = patch.determination;
    if (patch.tags !== undefined) incident.tags = [...patch.tags];
    if (patch.comment !== undefined) incident.comments.push({ comment: patch.comment, createdBy: user.upn, createdTime: now });
    incident.lastUpdateTime = entry.lastUpdateTime = now;
    data.replace(entry, incident);
    return data.incidentJson(id) as string;
  }
}
