import { LRUCache } from 'lru-cache';
import { compareEntries, expandIncident, type IndexEntry, type TenantProfile } from './generate';
import type { Incident } from './model';
import { formatTicks, nextTick } from './timestamps';

/** Serialised incidents kept for reuse: list pages repeat a lot under load, and expansion is the costly part. */
const JSON_CACHE_SIZE = 4000;

/**
 * The incidents of one tenant: the generated index in API order, plus the incidents changed since start
 * (by PATCH or in the "portal"), which from then on are state rather than derived from the seed.
 */
export class TenantIncidents {
  readonly byId = new Map<number, IndexEntry>();
  /** API order: lastUpdateTime desc, then incidentId desc. */
  readonly order: IndexEntry[];
  private readonly overrides = new Map<number, Incident>();
  private readonly json = new LRUCache<number, string>({ max: JSON_CACHE_SIZE });
  private latestUpdate: string;
  private maxId: number;

  constructor(
    readonly profile: TenantProfile,
    entries: IndexEntry[],
  ) {
    for (const e of entries) this.byId.set(e.id, e);
    this.order = [...entries].sort(compareEntries);
    this.latestUpdate = this.order[0]?.lastUpdateTime ?? formatTicks(profile.nowMs);
    this.maxId = entries.reduce((max, e) => Math.max(max, e.id), 999);
  }

  /** The full incident: a fresh object the caller may change and then `commit`. */
  incident(id: number): Incident | undefined {
    const entry = this.byId.get(id);
    if (!entry) return undefined;
    const changed = this.overrides.get(id);
    return changed ? (JSON.parse(JSON.stringify(changed)) as Incident) : expandIncident(this.profile, entry);
  }

  incidentJson(id: number): string | undefined {
    const cached = this.json.get(id);
    if (cached !== undefined) return cached;
    const incident = this.overrides.get(id) ?? this.incident(id);
    if (!incident) return undefined;
    const text = JSON.stringify(incident);
    this.json.set(id, text);
    return text;
  }

  /** A lastUpdateTime for a change made at `nowMs`: later than every other, so a changed incident always moves to the top. */
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

  /** Stores the changed incident (whose entry already carries the new index fields) and moves it to its place in the order. */
  commit(entry: IndexEntry, incident: Incident): void {
    const at = this.order.indexOf(entry);
    if (at >= 0) this.order.splice(at, 1);
    this.insert(entry);
    this.overrides.set(entry.id, incident);
    this.json.delete(entry.id);
  }

  /** Adds a new incident. */
  add(entry: IndexEntry, incident: Incident): void {
    if (this.byId.has(entry.id)) throw new Error(`incident ${entry.id} exists`);
    this.byId.set(entry.id, entry);
    this.maxId = Math.max(this.maxId, entry.id);
    this.commit(entry, incident);
  }

  private insert(entry: IndexEntry): void {
    let lo = 0;
    let hi = this.order.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (compareEntries(this.order[mid], entry) < 0) lo = mid + 1;
      else hi = mid;
    }
    this.order.splice(lo, 0, entry);
  }
}
