import { DEFAULT_PAGE_SIZE, type ApiName, type EmulatorContext, type ListOrder } from '../context';
import type { User } from '../directory';
import { buildProfile, generateIndex, groupBit, groupsOfMask, type IndexEntry } from './generate';
import type { Incident } from './model';
import { evaluate, type FilterNode } from './odata';
import type { IncidentPatch } from './patch';
import { TenantIncidents } from './tenantIncidents';

/** An incident as the index holds it: what tests and leak checks read without going through HTTP. */
export interface IncidentSummary {
  incidentId: number;
  createdTime: string;
  lastUpdateTime: string;
  /** Defender spelling; `AwaitingAction` is the store's status the Defender API shows as Active (Graph: awaitingAction). */
  status: string;
  severity: string;
  assignedTo?: string;
  classification: string;
  determination: string;
  redirectIncidentId?: number;
  /** Device groups of the incident's devices; empty for email/identity/cloud-app incidents (only '*' users see those). */
  deviceGroups: string[];
}

/** What a change applies, after validation: the PATCH fields plus, from the portal, an alert. */
export interface Change extends IncidentPatch {
  /** Who made it: the author of `comment`. */
  by: string;
  /** Adds an alert; `groupMask` bits join the incident's device groups. */
  alert?: { alert: Incident['alerts'][number]; groupMask: number };
  /** Raises the incident's severity. */
  severity?: Incident['severity'];
}

/**
 * The incidents of every tenant, and who may see which. A user sees an incident when one of its
 * devices is in one of the user's device groups, or when the user's role covers every group ('*'),
 * which is also the only way to see incidents that involve no device. Changes are stamped with the
 * emulator clock.
 */
export class IncidentStoreImpl {
  private readonly tenants = new Map<string, TenantIncidents>();

  constructor(private readonly ctx: EmulatorContext) {
    // Generated at start for the tenants that exist then, so the data does not depend on users added later.
    for (const id of ctx.directory.tenants.keys()) this.tenant(id);
  }

  tenant(tenantId: string): TenantIncidents | undefined {
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

  /** The listing order in force (a setting). */
  get listOrder(): ListOrder {
    return this.ctx.options.listing.order;
  }

  /** The server page size of a surface: the setting, or the surface's default. */
  pageSize(api: ApiName): number {
    return this.ctx.options.listing.pageSize ?? DEFAULT_PAGE_SIZE[api];
  }

  private ordered(tenantId: string): readonly IndexEntry[] {
    return this.tenant(tenantId)?.ordered(this.listOrder) ?? [];
  }

  /** Ids of the incidents of the user's tenant that the user's Defender role may see, in listing order. */
  visibleIds(user: User): Set<number> {
    const scope = this.scope(user);
    return new Set(this.ordered(user.tenantId).filter((e) => this.visibleTo(scope, e)).map((e) => e.id));
  }

  canSee(user: User, id: number): boolean {
    const e = this.tenant(user.tenantId)?.byId.get(id);
    return e !== undefined && this.visibleTo(this.scope(user), e);
  }

  count(tenantId: string): number {
    return this.tenant(tenantId)?.byId.size ?? 0;
  }

  /** Every incident of the tenant in listing order, without alerts (cheap even for 100,000). */
  list(tenantId: string): IncidentSummary[] {
    return this.ordered(tenantId).map((e) => ({
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

  /** Ids of every incident the user may see that matches the filter, in listing order. */
  matching(user: User, filter: FilterNode | undefined): number[] {
    const scope = this.scope(user);
    const out: number[] = [];
    for (const e of this.ordered(user.tenantId)) if (this.visibleTo(scope, e) && (!filter || evaluate(filter, e))) out.push(e.id);
    return out;
  }

  /** Whether the user may see the incident and it matches the filter (as it is now). */
  matches(user: User, id: number, filter: FilterNode | undefined): boolean {
    const e = this.tenant(user.tenantId)?.byId.get(id);
    return e !== undefined && this.visibleTo(this.scope(user), e) && (!filter || evaluate(filter, e));
  }

  /** One page of what the user may see, matching the filter, in listing order. */
  query(user: User, filter: FilterNode | undefined, skip: number, top: number): number[] {
    const data = this.tenant(user.tenantId);
    if (!data) return [];
    const scope = this.scope(user);
    const page: number[] = [];
    let skipped = 0;
    for (const e of data.ordered(this.listOrder)) {
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

  /** The serialised incident as the Defender API returns it, if it exists and the user may see it. */
  json(user: User, id: number): string | undefined {
    if (!this.canSee(user, id)) return undefined;
    return this.tenant(user.tenantId)?.incidentJson(id);
  }

  /** The stored incident, read-only (shared: never change it), if it exists and the user may see it. */
  view(user: User, id: number): Incident | undefined {
    if (!this.canSee(user, id)) return undefined;
    return this.tenant(user.tenantId)?.view(id);
  }

  /** The fields a classification check needs, if the incident exists in the tenant. */
  current(tenantId: string, id: number): { classification: string; determination: string } | undefined {
    const e = this.tenant(tenantId)?.byId.get(id);
    return e && { classification: e.classification, determination: e.determination };
  }

  /**
   * Applies a validated change (the caller has checked visibility and the classification/determination
   * pair), stamps lastUpdateTime with the emulator clock, moves the incident to its new place in the
   * order and returns its JSON.
   */
  update(tenantId: string, id: number, change: Change): string {
    const data = this.tenant(tenantId);
    const entry = data?.byId.get(id);
    const incident = data?.incident(id);
    if (!data || !entry || !incident) throw new Error(`incident ${id} vanished`);
    const now = data.stamp(this.ctx.clock.now());
    if (change.status !== undefined) incident.status = entry.status = change.status;
    if (change.assignedTo !== undefined) {
      const assignee = change.assignedTo === null || change.assignedTo === '' ? undefined : change.assignedTo;
      incident.assignedTo = entry.assignedTo = assignee;
    }
    if (change.classification !== undefined) incident.classification = entry.classification = change.classification;
    if (change.determination !== undefined) incident.determination = entry.determination = change.determination;
    if (change.tags !== undefined) incident.tags = [...change.tags];
    if (change.comment !== undefined) incident.comments.push({ comment: change.comment, createdBy: change.by, createdTime: now });
    if (change.alert) {
      incident.alerts.push({ ...change.alert.alert, creationTime: now, lastUpdatedTime: now, firstActivity: now, lastActivity: now });
      entry.groupMask |= change.alert.groupMask;
    }
    if (change.severity !== undefined) incident.severity = entry.severity = change.severity;
    incident.lastUpdateTime = entry.lastUpdateTime = now;
    data.commit(entry, incident);
    return data.incidentJson(id) as string;
  }
}
