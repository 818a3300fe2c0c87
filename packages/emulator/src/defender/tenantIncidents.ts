import { LRUCache } from 'lru-cache';
import type { ListOrder } from '../context';
import { itemAt } from '../lists';
import { compareCreated, compareEntries, compareShuffled, expandIncident, type IndexEntry, type TenantProfile } from './generate';
import { defenderStatus, type Incident } from './model';
import { hash32 } from './prng';
import { formatTicks, nextTick } from './timestamps';

/** Serialised incidents kept for reuse: list pages repeat a lot under load, and expansion is the costly part. */
const JSON_CACHE_SIZE = 4000;
/** Expanded incidents kept for the Graph view (objects, larger than their JSON: fewer of them). */
const INCIDENT_CACHE_SIZE = 500;

function insertSorted(list: IndexEntry[], entry: IndexEntry, compare: (a: IndexEntry, b: IndexEntry) => number): void {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (compare(itemAt(list, mid, 'incidents'), entry) < 0) lo = mid + 1;
    else hi = mid;
  }
  list.splice(lo, 0, entry);
}

/**
 * The incidents of one tenant: the generated index in each listing order, plus the incidents changed since
 * start (by PATCH or in the "portal"), which from then on are state rather than derived from the seed.
 * The stored incident is in the Defender API's shape, except that its status may be `AwaitingAction`
 * (which that API shows as `Active`); the Graph surface derives its view from the same object.
 */
export class TenantIncidents {
  readonly byId = new Map<number, IndexEntry>();
  private readonly orders: Record<ListOrder, IndexEntry[]>;
  private readonly overrides = new Map<number, Incident>();
  private readonly json = new LRUCache<number, string>({ max: JSON_CACHE_SIZE });
  private readonly expanded = new LRUCache<number, Incident>({ max: INCIDENT_CACHE_SIZE });
  /** Bumped by every change; views derived from an incident are cached by (id, version). */
  private version = 0;
  private latestUpdate: string;
  private maxId: number;

  constructor(
    readonly profile: TenantProfile,
    entries: IndexEntry[],
  ) {
    for (const e of entries) {
      e.shuffleKey = this.shuffleKey(e.id);
      this.byId.set(e.id, e);
    }
    this.orders = {
      lastUpdated: [...entries].sort(compareEntries),
      created: [...entries].sort(compareCreated),
      shuffled: [...entries].sort(compareShuffled),
    };
    this.latestUpdate = this.orders.lastUpdated[0]?.lastUpdateTime ?? formatTicks(profile.nowMs);
    this.maxId = entries.reduce((max, e) => Math.max(max, e.id), 999);
  }

  private shuffleKey(id: number): number {
    return hash32(this.profile.seed, this.profile.tenantId, 'list-order', id);
  }

  /** Every incident in the given listing order (the live array: do not change it). */
  ordered(order: ListOrder): readonly IndexEntry[] {
    return this.orders[order];
  }

  /** How many changes the tenant has seen: a cache key for views of its incidents. */
  get changes(): number {
    return this.version;
  }

  /** The full incident: a fresh object the caller may change and then `commit`. */
  incident(id: number): Incident | undefined {
    const entry = this.byId.get(id);
    if (!entry) return undefined;
    const changed = this.overrides.get(id);
    return changed ? (JSON.parse(JSON.stringify(changed)) as Incident) : expandIncident(this.profile, entry);
  }

  /** The stored incident for reading only (shared: never change it). */
  view(id: number): Incident | undefined {
    const changed = this.overrides.get(id);
    if (changed) return changed;
    const cached = this.expanded.get(id);
    if (cached) return cached;
    const entry = this.byId.get(id);
    if (!entry) return undefined;
    const incident = expandIncident(this.profile, entry);
    this.expanded.set(id, incident);
    return incident;
  }

  /** The incident as the Defender API serialises it (an `AwaitingAction` status reads `Active`). */
  incidentJson(id: number): string | undefined {
    const cached = this.json.get(id);
    if (cached !== undefined) return cached;
    const incident = this.overrides.get(id) ?? this.expanded.get(id) ?? this.incident(id);
    if (!incident) return undefined;
    const text = JSON.stringify(incident.status === defenderStatus(incident.status) ? incident : { ...incident, status: defenderStatus(incident.status) });
    this.json.set(id, text);
    return text;
  }

  /** A lastUpdateTime for a change made at `nowMs`: later than every other, so a changed incident is always the newest. */
  stamp(nowMs: number): string {
    const fraction = Math.floor((performance.now() % 1) * 10_000);
    let t = formatTicks(nowMs, fraction);
    if (t <= this.latestUpdate) t = nextTick(this.latestUpdate);
    this.latestUpdate = t;
    return t;
  }

  /** The next free incident id. */
  nextId(): number {
    return this.maxId + 1;
  }

  /** Stores the changed incident (whose entry already carries the new index fields) and moves it to its place in the orders. */
  commit(entry: IndexEntry, incident: Incident): void {
    const byUpdate = this.orders.lastUpdated;
    const at = byUpdate.indexOf(entry);
    if (at >= 0) byUpdate.splice(at, 1);
    insertSorted(byUpdate, entry, compareEntries);
    this.overrides.set(entry.id, incident);
    this.json.delete(entry.id);
    this.expanded.delete(entry.id);
    this.version += 1;
  }

  /** Adds a new incident. */
  add(entry: IndexEntry, incident: Incident): void {
    if (this.byId.has(entry.id)) throw new Error(`incident ${entry.id} exists`);
    entry.shuffleKey = this.shuffleKey(entry.id);
    this.byId.set(entry.id, entry);
    this.maxId = Math.max(this.maxId, entry.id);
    insertSorted(this.orders.created, entry, compareCreated);
    insertSorted(this.orders.shuffled, entry, compareShuffled);
    this.commit(entry, incident);
  }
}
